using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ShopJot.Common;

/// <summary>
/// Creates a service's tables when it starts (idempotent statements). Registered before <c>AddReJotSync()</c>, so the
/// tables exist when the engine creates its publication. A real service would use its migration tool.
/// </summary>
public sealed class DatabaseSetup(NpgsqlDataSource database, IReadOnlyList<string> statements) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Two services starting on one empty database must not race on CREATE OR REPLACE FUNCTION.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(7362001)", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            foreach (var sql in statements)
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7362001)", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
