using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ShopJot.Common;

/// <summary>One row change that ReJot applied to a service's database (reported by a trigger through LISTEN/NOTIFY).</summary>
/// <param name="Service">The receiving service.</param>
/// <param name="Table">The table that changed.</param>
/// <param name="Operation">INSERT, UPDATE or DELETE.</param>
/// <param name="Row">The new row (the old one for DELETE).</param>
/// <param name="ReceivedAt">When the service saw the change.</param>
/// <param name="Timestamp">The same moment as a <see cref="Stopwatch"/> timestamp, for measuring delays.</param>
public sealed record ReceivedChange(string Service, string Table, string Operation, JsonElement Row, DateTimeOffset ReceivedAt, long Timestamp)
{
    /// <summary>The value of the row's column <paramref name="column"/> as a long.</summary>
    public long Long(string column) => Row.GetProperty(column).GetInt64();

    /// <summary>The value of the row's column <paramref name="column"/> as text, or null.</summary>
    public string? Text(string column) => Row.TryGetProperty(column, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : null;
}

/// <summary>
/// Watches the tables that ReJot writes into (see <see cref="ReceivedTables"/>) and keeps the latest changes, so a
/// service can show what it received. Not part of ReJot: the example uses it to print each arrival and its delay.
/// </summary>
public sealed partial class ReceivedFeed(string service, NpgsqlDataSource database, ILogger<ReceivedFeed> logger) : BackgroundService
{
    /// <summary>The notification channel the triggers of <see cref="ReceivedTables"/> use.</summary>
    public const string Channel = "shopjot_received";

    private const int Kept = 200;
    private readonly Queue<ReceivedChange> _recent = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised on a background thread for every change, in commit order.</summary>
    public event Action<ReceivedChange>? Received;

    /// <summary>Completes once the feed listens (changes committed later are reported).</summary>
    public Task Listening => _listening.Task;

    /// <summary>The latest changes, oldest first.</summary>
    public IReadOnlyList<ReceivedChange> Recent
    {
        get
        {
            lock (_recent)
            {
                return [.. _recent];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Publish(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening.TrySetResult();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                LogListenFailed(logger, service, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private void Publish(string payload)
    {
        var timestamp = Stopwatch.GetTimestamp();
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var change = new ReceivedChange(service, root.GetProperty("table").GetString()!, root.GetProperty("op").GetString()!,
            root.GetProperty("row").Clone(), DateTimeOffset.UtcNow, timestamp);
        lock (_recent)
        {
            _recent.Enqueue(change);
            while (_recent.Count > Kept)
            {
                _recent.Dequeue();
            }
        }

        Received?.Invoke(change);
    }

    [LoggerMessage(1, LogLevel.Warning, "{Service}: listening for received changes failed ({Reason}); retrying")]
    private static partial void LogListenFailed(ILogger logger, string service, string reason);
}

/// <summary>SQL that makes a table report its changes on <see cref="ReceivedFeed.Channel"/>.</summary>
public static class ReceivedTables
{
    /// <summary>Statements (idempotent) that add the notify trigger to <paramref name="table"/>.</summary>
    public static IEnumerable<string> NotifyOnChange(string table) =>
    [
        $"""
        CREATE OR REPLACE FUNCTION shopjot_notify_received() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('{ReceivedFeed.Channel}', json_build_object('table', TG_TABLE_NAME, 'op', TG_OP,
            'row', row_to_json(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END))::text);
          RETURN NULL;
        END $$
        """,
        $"DROP TRIGGER IF EXISTS {table}_received ON {table}",
        $"CREATE TRIGGER {table}_received AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION shopjot_notify_received()",
    ];
}
