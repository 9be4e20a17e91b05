using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

/// <summary>
/// Things changed behind the engine's back: its slot, its publication, the tables it reads, SQL that fails at run
/// time, a terminated walsender. Each is reported clearly, loses nothing in silence, and stores nothing wrong.
/// </summary>
public sealed class DriftTests(PostgresFixture postgres)
{
    private const string SourceDdl = """
        CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
        CREATE TABLE other (id bigint PRIMARY KEY, note text);
        """;

    private const string DestinationDdl = "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);";

    private const string Upsert = "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance";
    private const string Delete = "DELETE FROM order_accounts WHERE id = :id";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- 1. Slots ----

    [Fact]
    public async Task A_slot_dropped_before_anything_was_stored_is_a_loss_not_a_silent_new_slot()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "slotearly", SourceDdl, DestinationDdl);
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]);
        var engine = await h.StartAsync(model);
        await h.StopAsync(engine);
        // Written while the engine is down: only the slot holds them.
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'only in the slot', NULL)");
        await DropSlotAsync(h);

        using var logs = new Logs();
        engine = await h.StartAsync(model, logs.Factory);
        var error = engine.GetStatus().Sources.Single().Error;
        await Eventually.WaitAsync(() => logs.Entries.Any(e => e.Id == 1110), "event 1110");
        Assert.Contains("is missing (dropped behind ReJot's back)", error, StringComparison.Ordinal);
        Assert.Contains("rejot reset-source", error, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Id == 1110 && e.Level == LogLevel.Critical && e.Exception is null);
        Assert.Equal(0, await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}'"));
    }

    [Theory]
    [InlineData("recreated")]
    [InlineData("advanced")]
    public async Task A_slot_re_created_or_advanced_behind_the_engines_back_is_a_loss_and_nothing_after_it_is_stored(string how)
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "slot" + how, SourceDdl, DestinationDdl);
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]);
        var engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await WaitRowsAsync(h, 1);
        await h.StopAsync(engine);
        await WaitSlotReleasedAsync(h);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'skipped by the new slot', NULL)");
        if (how == "recreated")
        {
            await DropSlotAsync(h);
            await h.ExecuteAsync(h.Source, $"SELECT pg_create_logical_replication_slot('{h.SlotName}', 'pgoutput')");
        }
        else
        {
            await h.ExecuteAsync(h.Source, $"SELECT pg_replication_slot_advance('{h.SlotName}', pg_current_wal_lsn())");
        }

        engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (3, 'after', NULL)");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is not null, "the source error");
        Assert.Contains("re-created or advanced behind ReJot's back", engine.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        Assert.False(engine.GetStatus().Sources.Single().Running);
        Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
        Assert.Equal(["1|a"], await h.RowsAsync(h.Destination, "SELECT id, name FROM order_accounts ORDER BY id"));
    }

    [Fact]
    public async Task Idle_heartbeats_and_changes_to_unpublished_tables_move_the_stored_position_with_the_slot_so_a_restart_is_not_a_false_alarm()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "slotidle", SourceDdl, DestinationDdl);
        // A user-managed publication with an extra table: its transactions are decoded but store no events.
        await h.ExecuteAsync(h.Source, $"CREATE PUBLICATION rejot_pub_{h.Name} FOR TABLE accounts, other");
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]);
        var engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await WaitRowsAsync(h, 1);
        var stored = (await engine.EventStore.GetSourcePositionAsync("source", Ct))!;
        for (var i = 0; i < 20; i++)
        {
            await h.ExecuteAsync(h.Source, $"INSERT INTO other VALUES ({i}, 'not read by any schema')");
        }

        // The slot moves past the last stored transaction (heartbeats and the unread transactions are acknowledged)...
        await Eventually.WaitAsync(async () => await ConfirmedAsync(h) > stored.EndLsn + 1000, "the slot confirmed past the last stored transaction");
        await h.StopAsync(engine);
        var confirmed = await ConfirmedAsync(h);
        // ...and the event store's position with it, never behind the slot.
        Assert.True(await h.ScalarAsync<long>(h.Source, "SELECT end_lsn FROM rejot_events.source_positions") >= confirmed);

        engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'b', NULL)");
        await WaitRowsAsync(h, 2);
        Assert.Null(engine.GetStatus().Sources.Single().Error);
    }

    // ---- 2. Publications ----

    [Fact]
    public async Task A_table_dropped_from_a_managed_publication_while_stopped_is_re_added_at_start_with_a_backfill_warning()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "pubstart", SourceDdl, DestinationDdl);
        var model = h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]);
        var engine = await h.StartAsync(model);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await WaitRowsAsync(h, 1);
        await h.StopAsync(engine);
        await h.ExecuteAsync(h.Source, $"ALTER PUBLICATION rejot_pub_{h.Name} DROP TABLE accounts");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'not published', NULL)");

        using var logs = new Logs();
        engine = await h.StartAsync(model, logs.Factory);
        Assert.Equal(1, await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = 'rejot_pub_{h.Name}' AND tablename = 'accounts'"));
        var warning = Assert.Single(logs.Entries, e => e.Id == 1111);
        Assert.Contains("public.accounts", warning.Message, StringComparison.Ordinal);
        Assert.Contains("accounts-service->account@1", warning.Message, StringComparison.Ordinal);
        Assert.Contains(engine.GetStatus().Sources.Single().Warnings, w => w.Contains("backfill", StringComparison.Ordinal));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (3, 'c', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts WHERE id = 3") == 1, "a change after the re-add");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_table_dropped_from_the_publication_while_syncing_is_reported_and_its_changes_are_not_lost_in_silence(bool managed)
    {
        await using var h = await SyncHarness.CreateAsync(postgres, managed ? "pubmanaged" : "pubuser", SourceDdl, DestinationDdl);
        var publication = $"rejot_pub_{h.Name}";
        if (!managed)
        {
            await h.ExecuteAsync(h.Source, $"CREATE PUBLICATION {publication} FOR TABLE accounts");
        }

        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await WaitRowsAsync(h, 1);

        await h.ExecuteAsync(h.Source, $"ALTER PUBLICATION {publication} DROP TABLE accounts");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Warnings.Any(w => w.Contains("no longer covers public.accounts", StringComparison.Ordinal)),
            "the removal reported");
        if (managed)
        {
            // Re-added by the next preparation; the warning (backfill) stays.
            await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = '{publication}'") == 1, "re-added");
        }
        else
        {
            await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is { } e && e.Contains("ALTER PUBLICATION", StringComparison.Ordinal), "the fix in the error");
            await h.ExecuteAsync(h.Source, $"ALTER PUBLICATION {publication} ADD TABLE accounts");
        }

        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single() is { Running: true, Error: null }, "the source running again");
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (2, 'b', NULL)");
        await WaitRowsAsync(h, 2);
        Assert.Contains("rejot backfill", engine.GetStatus().Sources.Single().Warnings.First(w => w.Contains("no longer covers", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    // ---- 3. Tables changed while syncing ----

    [Fact]
    public async Task A_column_a_transformation_binds_dropped_while_syncing_stops_the_source_naming_schema_table_and_column_and_stores_nothing_after()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "dropcol", SourceDdl, DestinationDdl);
        var schema = Schemas.AccountSchema("SELECT :id AS id, :name AS name, :balance AS balance");
        var engine = await h.StartAsync(h.Model([schema], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', 1)");
        await WaitRowsAsync(h, 1);

        await h.ExecuteAsync(h.Source, "ALTER TABLE accounts DROP COLUMN balance; INSERT INTO accounts VALUES (2, 'b')");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is not null, "the source error");
        var error = engine.GetStatus().Sources.Single().Error!;
        Assert.Contains("accounts-service->account@1", error, StringComparison.Ordinal);
        Assert.Contains("public.accounts", error, StringComparison.Ordinal);
        Assert.Contains("'balance'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));
        Assert.Equal(["1|a|1"], await h.RowsAsync(h.Destination, "SELECT id, name, balance FROM order_accounts ORDER BY id"));
    }

    [Fact]
    public async Task A_column_a_transformation_reads_dropped_while_syncing_fails_with_postgres_message_schema_and_position_and_recovers_once_fixed()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "dropsqlcol", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', 1)");
        await WaitRowsAsync(h, 1);

        using var logs = new Logs();
        await h.ExecuteAsync(h.Source, "ALTER TABLE accounts DROP COLUMN balance; INSERT INTO accounts VALUES (2, 'b')");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is not null, "the source error");
        var error = engine.GetStatus().Sources.Single().Error!;
        Assert.Contains("Public schema accounts-service->account@1: the insert transformation of public.accounts failed at transaction ", error, StringComparison.Ordinal);
        Assert.Contains("column \"balance\" does not exist (SQLSTATE 42703", error, StringComparison.Ordinal);
        Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));

        // Putting the column back (or deploying a fixed transformation) lets the retry through: nothing was lost.
        await h.ExecuteAsync(h.Source, "ALTER TABLE accounts ADD COLUMN balance numeric");
        await WaitRowsAsync(h, 2);
        Assert.Null(engine.GetStatus().Sources.Single().Error);
    }

    [Fact]
    public async Task A_table_renamed_while_syncing_stops_the_source_naming_both_names_and_its_changes_are_not_skipped_in_silence()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "rename", SourceDdl, DestinationDdl);
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL)");
        await WaitRowsAsync(h, 1);

        await h.ExecuteAsync(h.Source, "ALTER TABLE accounts RENAME TO customers; INSERT INTO customers VALUES (2, 'b', NULL)");
        await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Error is { } e && e.Contains("renamed to public.customers", StringComparison.Ordinal), "the rename reported");
        Assert.Contains("public.accounts", engine.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        Assert.Single(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));

        await h.StopAsync(engine);
        var restarting = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]));
        Assert.Contains("lists public.customers instead: renamed?", restarting.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        await h.StopAsync(restarting);

        // The way out: deploy the transformations with the new name; the change made under it is not lost.
        var renamed = new PublicSchemaModel(Schemas.Account, 0, "source", Schemas.AccountOutputSchema, ["id"],
        [
            new(TransformOperation.Insert, TableName.Parse("customers"), "SELECT id, name, balance FROM customers WHERE id = :id"),
            new(TransformOperation.Update, TableName.Parse("customers"), "SELECT id, name, balance FROM customers WHERE id = :id"),
        ]);
        await h.StartAsync(h.Model([renamed], [Schemas.Consumer("c", Upsert, Delete)]));
        await WaitRowsAsync(h, 2);
        Assert.Equal(["1|a", "2|b"], await h.RowsAsync(h.Destination, "SELECT id, name FROM order_accounts ORDER BY id"));
    }

    [Fact]
    public async Task Added_columns_and_changed_column_types_keep_syncing_with_exact_values()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "altercols", SourceDdl, DestinationDdl);
        // Built from the WAL row alone, so each value is the one of its change (the column types change in between).
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema("SELECT :id AS id, :name AS name, :balance AS balance")], [Schemas.Consumer("c", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', 1.5)");
        await WaitRowsAsync(h, 1);

        await h.ExecuteAsync(h.Source, """
            ALTER TABLE accounts ADD COLUMN extra text DEFAULT 'x';
            INSERT INTO accounts VALUES (2, 'b', 2.25, 'y');
            ALTER TABLE accounts ALTER COLUMN name TYPE varchar(50), ALTER COLUMN balance TYPE numeric(30,10), ALTER COLUMN id TYPE numeric(20,0);
            INSERT INTO accounts VALUES (3, 'c', 123456789.0123456789, 'z');
            UPDATE accounts SET name = 'a2' WHERE id = 1;
            """);
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts WHERE id = 3 OR name = 'a2'") == 2, "the rows after the changes");
        Assert.Equal(["1|a2|1.5000000000", "2|b|2.25", "3|c|123456789.0123456789"], await h.RowsAsync(h.Destination, "SELECT id, name, balance FROM order_accounts ORDER BY id"));
        Assert.Null(engine.GetStatus().Sources.Single().Error);
    }

    // ---- 4. SQL that fails at run time ----

    [Fact]
    public async Task A_transformation_calling_a_missing_function_is_reported_with_schema_position_and_message_retried_and_recovers_without_loss()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "missingfn", SourceDdl, DestinationDdl);
        using var logs = new Logs();
        var engine = await h.StartAsync(
            h.Model([Schemas.AccountSchema("SELECT id, display_name(name) AS name, balance FROM accounts WHERE id = :id")], [Schemas.Consumer("c", Upsert, Delete)]),
            logs.Factory);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'a', NULL); INSERT INTO accounts VALUES (2, 'b', NULL);");
        await Eventually.WaitAsync(() => logs.Entries.Count(e => e.Id == 1101) >= 2, "two failed attempts (retried with backoff)");
        var failure = logs.Entries.First(e => e.Id == 1101);
        Assert.Null(failure.Exception);
        Assert.Contains("Public schema accounts-service->account@1: the insert transformation of public.accounts failed at transaction ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("function display_name(text) does not exist (SQLSTATE 42883; hint: ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("function display_name(text) does not exist", engine.GetStatus().Sources.Single().Error, StringComparison.Ordinal);
        Assert.Empty(await engine.EventStore.ReadEventsAsync(Schemas.Account, EventPosition.Start, 10, Ct));

        await h.ExecuteAsync(h.Source, "CREATE FUNCTION display_name(text) RETURNS text LANGUAGE sql AS $$ SELECT upper($1) $$");
        await WaitRowsAsync(h, 2);
        Assert.Equal(["1|A", "2|B"], await h.RowsAsync(h.Destination, "SELECT id, name FROM order_accounts ORDER BY id"));
        Assert.Null(engine.GetStatus().Sources.Single().Error);
    }

    [Fact]
    public async Task A_consumer_statement_with_a_type_error_is_faulted_with_the_consumer_position_and_message_and_recovers_once_the_destination_is_fixed()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "consumertype", SourceDdl, "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name integer NOT NULL, balance numeric);");
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("typed", Upsert, Delete)]));
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'not a number', NULL)");
        await Eventually.WaitAsync(() => engine.GetStatus().Consumers.Single() is { Faulted: true, Attempts: >= 2 }, "the consumer faulted and retried");
        var consumer = engine.GetStatus().Consumers.Single();
        Assert.Contains("invalid input syntax for type integer", consumer.Error, StringComparison.Ordinal);
        Assert.NotNull(consumer.FaultedAt);

        await h.ExecuteAsync(h.Destination, "ALTER TABLE order_accounts ALTER COLUMN name TYPE text");
        await WaitRowsAsync(h, 1);
        await Eventually.WaitAsync(() => !engine.GetStatus().Consumers.Single().Faulted, "recovered");
    }

    // ---- 7. A terminated walsender ----

    [Fact]
    public async Task A_terminated_walsender_is_one_routine_log_line_without_a_stack_trace_and_nothing_is_lost()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "walsender", SourceDdl, DestinationDdl);
        using var logs = new Logs();
        var engine = await h.StartAsync(h.Model([Schemas.AccountSchema()], [Schemas.Consumer("c", Upsert, Delete)]), logs.Factory);
        for (var i = 1; i <= 6; i++)
        {
            await h.ExecuteAsync(h.Source, $"INSERT INTO accounts VALUES ({i}, 'n{i}', NULL)");
            await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source,
                $"SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}' AND active_pid IS NOT NULL") == 1, "a walsender terminated");
            await Eventually.WaitAsync(() => engine.GetStatus().Sources.Single().Running, "the source running again");
        }

        await WaitRowsAsync(h, 6);
        Assert.Contains(logs.Entries, e => e.Id == 1101);
        var traced = logs.Entries.Where(e => e.Exception is not null && e.Category.StartsWith("ReJot", StringComparison.Ordinal)).Select(e => $"{e.Id}: {e.Message}: {e.Exception}").ToList();
        Assert.True(traced.Count == 0, string.Join("\n", traced));
    }

    private static async Task WaitRowsAsync(SyncHarness h, long count)
        => await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == count, $"{count} row(s) in the destination", TimeSpan.FromSeconds(60));

    private static async Task WaitSlotReleasedAsync(SyncHarness h)
        => await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{h.SlotName}' AND NOT active") == 1, "the slot released");

    private static async Task DropSlotAsync(SyncHarness h)
    {
        await WaitSlotReleasedAsync(h);
        await h.ExecuteAsync(h.Source, $"SELECT pg_drop_replication_slot('{h.SlotName}')");
    }

    private static async Task<long> ConfirmedAsync(SyncHarness h)
        => await h.ScalarAsync<long>(h.Source, $"SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '{h.SlotName}'");

    private sealed record Entry(string Category, int Id, LogLevel Level, string Message, Exception? Exception);

    /// <summary>Captures every log entry, with its exception.</summary>
    private sealed class Logs : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public Logs() => Factory = LoggerFactory.Create(b => b.AddProvider(this).SetMinimumLevel(LogLevel.Information));

        public ILoggerFactory Factory { get; }

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => entries.Enqueue(new Entry(category, eventId.Id, logLevel, formatter(state, exception), exception));
        }
    }
}
