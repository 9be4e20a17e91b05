using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ReJot.Sync.EventStore;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

/// <summary>A consumer of another manifest's schema that no resolver knows is reported, not left waiting in silence.</summary>
public sealed class UnresolvedSourceTests(PostgresFixture postgres)
{
    private const string Upsert = "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";

    [Fact]
    public async Task A_consumer_of_an_unresolvable_manifest_gets_a_warning_naming_the_manifest_and_the_fix_and_local_consumers_do_not()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "unresolved",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);",
            "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL);");
        var elsewhere = new PublicSchemaKey("billing-service", "invoice", 1);
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));

        await h.StartAsync(
            h.Model([Schemas.AccountSchema()], [Schemas.Consumer("local", Upsert, null), Schemas.Consumer("remote", Upsert, null, elsewhere)]),
            factory);

        var warnings = logs.Entries.Where(e => e.Id == 1205).ToList();
        var warning = Assert.Single(warnings);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("orders-service/remote", warning.Message, StringComparison.Ordinal);
        Assert.Contains("'billing-service'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("REJOT_SYNC_SERVICE_<slug>", warning.Message, StringComparison.Ordinal);
        Assert.Contains("no remote reader is configured", warning.Message, StringComparison.Ordinal);

        // The local consumer is unaffected: a change still arrives.
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'one', 1)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts WHERE id = 1") == 1, "the local consumer's row");
    }

    private sealed record Entry(int Id, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => entries.Enqueue(new Entry(eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
