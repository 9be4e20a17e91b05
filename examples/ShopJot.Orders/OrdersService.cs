using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ReJot.Sync.Http;
using ShopJot.Common;

namespace ShopJot.Orders;

/// <summary>
/// The orders service: <c>POST /orders</c> (only for accounts it has received), <c>GET /orders</c>;
/// <c>GET /received</c> shows the accounts it received; the ReJot routes let other services read its <c>order</c>
/// contract.
/// </summary>
public static class OrdersService
{
    /// <summary>The data store slug, and the name of its connection string (<c>ConnectionStrings:orders</c>).</summary>
    public const string DataStore = "orders";

    /// <summary>The service's tables: its orders, and the accounts it received.</summary>
    public static readonly IReadOnlyList<string> Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS orders (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          account_id bigint NOT NULL,
          total numeric(12,2) NOT NULL,
          placed_at timestamptz NOT NULL DEFAULT now())
        """,
        "CREATE TABLE IF NOT EXISTS known_accounts (id bigint PRIMARY KEY, name text NOT NULL)",
        .. ReceivedTables.NotifyOnChange("known_accounts"),
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
        builder.Services.AddSingleton(sp => new ReceivedFeed("orders", sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<ReceivedFeed>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReceivedFeed>());

        // This assembly only: the Account type's assembly is referenced for the typed consumer, but the accounts
        // service publishes that contract, not this one.
        builder.Services.AddReJotSync().UseGeneratedManifestsFrom(typeof(OrdersService).Assembly);

        var app = builder.Build();
        app.MapReJotSync();

        app.MapPost("/orders", async (OrderInput input, NpgsqlDataSource db, CancellationToken ct) =>
        {
            if (input.Total <= 0)
            {
                return Results.BadRequest(new { error = "total must be positive" });
            }

            // The account check is local: the accounts the service received through ReJot, no call to accounts.
            await using var command = db.CreateCommand("""
                INSERT INTO orders (account_id, total) SELECT id, $2 FROM known_accounts WHERE id = $1 RETURNING id
                """);
            command.Parameters.Add(new() { Value = input.AccountId });
            command.Parameters.Add(new() { Value = input.Total });
            return await command.ExecuteScalarAsync(ct) is long id
                ? Results.Created($"/orders/{id}", new Order(id, input.AccountId, input.Total))
                : Results.Conflict(new { error = $"account {input.AccountId} is unknown here (not received from the accounts service, or deleted)" });
        });

        app.MapGet("/orders", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            var orders = new List<Order>();
            await using var command = db.CreateCommand("SELECT id, account_id, total FROM orders ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                orders.Add(new Order(reader.GetInt64(0), reader.GetInt64(1), reader.GetDecimal(2)));
            }

            return orders;
        });

        // What this service received from accounts: the accounts it knows, and the latest changes as they arrived.
        app.MapGet("/received", async (NpgsqlDataSource db, ReceivedFeed feed, CancellationToken ct) =>
        {
            var accounts = new List<KnownAccount>();
            await using var command = db.CreateCommand("SELECT id, name FROM known_accounts ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                accounts.Add(new KnownAccount(reader.GetInt64(0), reader.GetString(1)));
            }

            return new { accounts, recent = feed.Recent };
        });

        return app;
    }
}

/// <summary>The body of <c>POST /orders</c>.</summary>
public sealed record OrderInput(long AccountId, decimal Total);

/// <summary>An account as the orders service knows it (from the accounts service's contract).</summary>
public sealed record KnownAccount(long Id, string Name);
