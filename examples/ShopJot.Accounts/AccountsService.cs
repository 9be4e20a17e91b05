using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.Http;
using ShopJot.Common;
using ShopJot.Contracts;

namespace ShopJot.Accounts;

/// <summary>
/// The accounts service: <c>POST /accounts</c>, <c>PUT /accounts/{id}</c>, <c>DELETE /accounts/{id}</c>,
/// <c>GET /accounts</c>; <c>GET /received</c> shows the orders it received; the ReJot routes (<c>/read</c>, …) let
/// other services read its <c>account</c> contract.
/// </summary>
public static class AccountsService
{
    /// <summary>The data store slug, and the name of its connection string (<c>ConnectionStrings:accounts</c>).</summary>
    public const string DataStore = "accounts";

    /// <summary>Private tables (only <c>accounts</c>' contract columns leave the service) and the received orders.</summary>
    public static readonly IReadOnlyList<string> Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS accounts (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          name text NOT NULL,
          email text,
          password_hash text,
          created_at timestamptz NOT NULL DEFAULT now())
        """,
        "CREATE TABLE IF NOT EXISTS account_orders (order_id bigint PRIMARY KEY, account_id bigint NOT NULL, total numeric NOT NULL)",
        .. ReceivedTables.NotifyOnChange("account_orders"),
    ];

    /// <summary>Builds the service; <paramref name="configure"/> may add configuration or services first.</summary>
    public static WebApplication Build(WebApplicationOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(options);
        configure?.Invoke(builder);

        var connectionString = builder.Configuration.GetConnectionString(DataStore)
            ?? throw new InvalidOperationException($"Set ConnectionStrings:{DataStore} (environment: ConnectionStrings__{DataStore}).");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddHostedService(sp => new DatabaseSetup(sp.GetRequiredService<NpgsqlDataSource>(), Schema));
        builder.Services.AddSingleton(sp => new ReceivedFeed("accounts", sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<ReceivedFeed>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReceivedFeed>());

        // The engine: captures the accounts table into the account contract, and applies orders' order contract.
        // This process must publish only its own manifest: the one in the contract assembly and its own consumer.
        builder.Services.AddReJotSync().UseGeneratedManifestsFrom(typeof(Account).Assembly, typeof(AccountsService).Assembly);

        var app = builder.Build();
        app.MapReJotSync();

        app.MapPost("/accounts", async (AccountInput input, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(input.Name))
            {
                return Results.BadRequest(new { error = "name is required" });
            }

            await using var command = db.CreateCommand("INSERT INTO accounts (name, email) VALUES ($1, $2) RETURNING id");
            command.Parameters.Add(new() { Value = input.Name });
            command.Parameters.Add(new() { Value = (object?)input.Email ?? DBNull.Value });
            var id = (long)(await command.ExecuteScalarAsync(ct))!;
            return Results.Created($"/accounts/{id}", new Account(id, input.Name, input.Email));
        });

        app.MapPut("/accounts/{id:long}", async (long id, AccountInput input, NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand("UPDATE accounts SET name = $2, email = $3 WHERE id = $1");
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = input.Name });
            command.Parameters.Add(new() { Value = (object?)input.Email ?? DBNull.Value });
            return await command.ExecuteNonQueryAsync(ct) == 1 ? Results.Ok(new Account(id, input.Name, input.Email)) : Results.NotFound();
        });

        app.MapDelete("/accounts/{id:long}", async (long id, NpgsqlDataSource db, CancellationToken ct) =>
        {
            await using var command = db.CreateCommand("DELETE FROM accounts WHERE id = $1");
            command.Parameters.Add(new() { Value = id });
            return await command.ExecuteNonQueryAsync(ct) == 1 ? Results.NoContent() : Results.NotFound();
        });

        app.MapGet("/accounts", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            var accounts = new List<Account>();
            await using var command = db.CreateCommand("SELECT id, name, email FROM accounts ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                accounts.Add(new Account(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }

            return accounts;
        });

        // What this service received from orders: the orders per account, and the latest changes as they arrived.
        app.MapGet("/received", async (NpgsqlDataSource db, ReceivedFeed feed, CancellationToken ct) =>
        {
            var orders = new List<ReceivedOrder>();
            await using var command = db.CreateCommand("SELECT order_id, account_id, total FROM account_orders ORDER BY order_id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                orders.Add(new ReceivedOrder(reader.GetInt64(0), reader.GetInt64(1), reader.GetDecimal(2)));
            }

            return new { orders, recent = feed.Recent };
        });

        return app;
    }
}

/// <summary>The body of <c>POST /accounts</c> and <c>PUT /accounts/{id}</c>.</summary>
public sealed record AccountInput(string Name, string? Email);

/// <summary>An order as the accounts service knows it (from the orders service's contract).</summary>
public sealed record ReceivedOrder(long OrderId, long AccountId, decimal Total);
