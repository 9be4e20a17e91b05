using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using ReJot.Reliability.Tests.Harness;
using ReJot.Testing;
using ReJot.TestSupport;

namespace ReJot.Reliability.Tests;

/// <summary>Bad input at the edges the other suites do not cover, through <c>rejot manifest sync</c> as a process.</summary>
public sealed class BadInputTests(PostgresFixture postgres) : IDisposable
{
    private const string Password = "S3cret-Pa55w0rd!";
    private readonly string _directory = Directory.CreateTempSubdirectory("rejot-badinput-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Unreachable_databases_at_start_keep_the_process_up_report_unhealthy_without_secrets_and_sync_once_they_come_back()
    {
        await using var server = await ThrowawayPostgres.StartAsync(
            new ThrowawayPostgresOptions { NamePrefix = "reliability", ConnectionEnvironmentVariable = null, UseTestcontainers = false }, Ct);
        var source = await server.CreateDatabaseAsync("app", Ct);
        var sink = await server.CreateDatabaseAsync("sink", Ct);
        await Db.ExecuteAsync(source, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", Ct);
        await Db.ExecuteAsync(sink, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", Ct);
        WriteManifest(source, sink, "notes", """ "id":{"type":"integer"},"body":{"type":["string","null"]} """,
            "SELECT id, body FROM notes WHERE id = :id",
            "INSERT INTO notes (id, body) VALUES (:id, :body) ON CONFLICT (id) DO UPDATE SET body = excluded.body");
        await server.StopAsync(immediate: false, Ct);

        await using var sync = new SyncProcess(_directory, "rejot-manifest.json", RetryQuickly);
        sync.Collect = "   at ";
        sync.Start();

        // Down: the process stays up and says why, through /health, without a crash loop or a stack trace.
        var health = await WaitForHealthAsync(sync, h => h.Status == 503 && h.Body.Contains("cannot start", StringComparison.Ordinal), "unhealthy while the databases are down");
        Assert.Contains("Failed to connect", health.Body, StringComparison.Ordinal);
        await WaitForAsync(() => Task.FromResult(sync.Tail().Contains("attempt 3", StringComparison.Ordinal)), "three start attempts with backoff", sync);
        Assert.False(sync.HasExited, $"manifest sync exited while the databases were down:\n{sync.Tail()}");
        Assert.Equal(1, sync.Starts);

        await server.RestartAsync(Ct);
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);
        await Db.ExecuteAsync(source, "INSERT INTO notes VALUES (1, 'after the outage')", Ct);
        await WaitForAsync(async () => (await Db.RowsAsync(sink, "SELECT body FROM notes", Ct)).SequenceEqual(["after the outage"]), "the row in the sink", sync);
        await Consistency.WaitHealthyAsync(sync, "after the databases came back", TimeSpan.FromSeconds(60), Ct);

        using var http = new HttpClient();
        var status = await http.GetStringAsync(new Uri($"http://localhost:{sync.Port}/status"), Ct);
        foreach (var (what, text) in new[] { ("output", sync.Tail()), ("/health", health.Body), ("/status", status) })
        {
            Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            Assert.False(what == "output" && sync.AllLinesContaining.Count > 0, $"Stack trace in the output: {string.Join('\n', sync.AllLinesContaining.Take(2))}");
        }

        await server.StopAsync(immediate: false, CancellationToken.None);
    }

    [Fact]
    public async Task Nulls_unicode_large_text_json_numeric_precision_timestamps_arrays_and_bytea_round_trip_to_the_sink_exactly()
    {
        // Known limits (events are stored as jsonb): a json column comes out normalized (whitespace, key order,
        // duplicate keys) and float8 -0 as 0; the values here avoid them.
        const string Columns = "id bigint PRIMARY KEY, t text, big text, j jsonb, js json, n numeric, np numeric(38,18), f float8, ts timestamptz, tl timestamp, d date, "
            + "ia int[], ta text[], b bytea, u uuid, flag boolean, iv interval";
        var source = await postgres.CreateDatabaseAsync("types_src");
        var sink = await postgres.CreateDatabaseAsync("types_sink");
        await Db.ExecuteAsync(source, $"CREATE TABLE typed ({Columns})", Ct);
        await Db.ExecuteAsync(sink, $"CREATE TABLE typed ({Columns})", Ct);
        const string Names = "id, t, big, j, js, n, np, f, ts, tl, d, ia, ta, b, u, flag, iv";
        // JSON arrays arrive as JSON text (documented): the consumer turns them into PostgreSQL arrays.
        const string Upsert = "INSERT INTO typed (id, t, big, j, js, n, np, f, ts, tl, d, ia, ta, b, u, flag, iv) VALUES "
            + "(:id, :t, :big, :j, :js, :n, :np, :f, :ts, :tl, :d, "
            + "(SELECT coalesce(array_agg(e::int ORDER BY o), CASE WHEN :ia IS NOT NULL THEN '{}'::int[] END) FROM jsonb_array_elements_text(:ia::jsonb) WITH ORDINALITY AS x(e, o)), "
            + "(SELECT coalesce(array_agg(e ORDER BY o), CASE WHEN :ta IS NOT NULL THEN '{}'::text[] END) FROM jsonb_array_elements_text(:ta::jsonb) WITH ORDINALITY AS x(e, o)), "
            + ":b, :u, :flag, :iv) "
            + "ON CONFLICT (id) DO UPDATE SET t = excluded.t, big = excluded.big, j = excluded.j, js = excluded.js, n = excluded.n, np = excluded.np, f = excluded.f, "
            + "ts = excluded.ts, tl = excluded.tl, d = excluded.d, ia = excluded.ia, ta = excluded.ta, b = excluded.b, u = excluded.u, flag = excluded.flag, iv = excluded.iv";
        var properties = string.Join(",", Names.Split(", ").Select(n => n == "id" ? "\"id\":{\"type\":\"integer\"}" : $"\"{n}\":{{}}"));
        WriteManifest(source, sink, "typed", properties, $"SELECT {Names} FROM typed WHERE id = :id", Upsert);

        await using var sync = new SyncProcess(_directory, "rejot-manifest.json", RetryQuickly);
        sync.Start();
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);
        await Db.ExecuteAsync(source, """
            INSERT INTO typed (id) VALUES (1);
            INSERT INTO typed VALUES (2, E'Grüße 日本語 😀 e\u0301 "quoted" \'single\' back\\slash\ttab\nnewline', repeat('large ✓ ', 200000),
                '{"nested": {"a": [1, 2.50, null, "x"], "big": 123456789012345678901234567890.123456789, "u": "ü\u00e9😀"}}',
                '{"dup": 2, "kept": "as written"}',
                123456789012345678901234567890.123456789012345678901234567890, 12345678901234567890.123456789012345678,
                1.7976931348623157e308, '2024-02-29 23:59:59.999999+05:45', '1999-12-31 23:59:59.123456', '0001-01-01',
                ARRAY[1, NULL, -3], ARRAY['a,b', 'c"d', NULL, '{}', 'ü'], '\x00ff10deadbeef'::bytea || decode(repeat('00ff', 5000), 'hex'),
                'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', false, '1 year 2 mons 3 days 04:05:06.789');
            INSERT INTO typed (id, n, f, t, ia, ta) VALUES (3, 'NaN', '5e-324', '', '{}', '{}');
            """, Ct);
        await Db.ExecuteAsync(source, "UPDATE typed SET t = 'updated ✓', np = -0.000000000000000001 WHERE id = 1", Ct);

        var select = "SELECT typed::text FROM typed ORDER BY id";
        var expected = await Db.RowsAsync(source, select, Ct);
        await WaitForAsync(async () => (await Db.RowsAsync(sink, select, Ct)).SequenceEqual(expected), "identical rows in the sink", sync,
            async () =>
            {
                var differences = new List<string>();
                foreach (var column in Names.Split(", "))
                {
                    var query = $"SELECT id, length({column}::text), md5({column}::text), left({column}::text, 300), right({column}::text, 100) FROM typed ORDER BY id";
                    var (fromSink, fromSource) = (await Db.RowsAsync(sink, query, Ct), await Db.RowsAsync(source, query, Ct));
                    differences.AddRange(fromSink.Zip(fromSource).Where(p => p.First != p.Second).Select(p => $"{column}: sink {p.First} / source {p.Second}"));
                }

                return string.Join("\n", differences);
            });
    }

    [Fact]
    public async Task A_slot_dropped_behind_the_engines_back_stops_the_source_loudly_until_reset_source_and_a_backfill_recover_the_lost_row()
    {
        var source = await postgres.CreateDatabaseAsync("lost_src");
        var sink = await postgres.CreateDatabaseAsync("lost_sink");
        await Db.ExecuteAsync(source, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", Ct);
        await Db.ExecuteAsync(sink, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", Ct);
        var slot = WriteManifest(source, sink, "notes", """ "id":{"type":"integer"},"body":{"type":["string","null"]} """,
            "SELECT id, body FROM notes WHERE id = :id",
            "INSERT INTO notes (id, body) VALUES (:id, :body) ON CONFLICT (id) DO UPDATE SET body = excluded.body");

        await using var sync = new SyncProcess(_directory, "rejot-manifest.json", RetryQuickly);
        sync.Collect = "   at ";
        sync.Start();
        await sync.WaitRunningAsync(TimeSpan.FromSeconds(90), Ct);
        await Db.ExecuteAsync(source, "INSERT INTO notes VALUES (1, 'before')", Ct);
        await WaitForAsync(async () => (await Db.RowsAsync(sink, "SELECT body FROM notes", Ct)).Count == 1, "the first row", sync);

        // Behind the engine's back: it is stopped, a row is written, the slot is dropped.
        await sync.KillAsync();
        await Db.ExecuteAsync(source, "INSERT INTO notes VALUES (2, 'lost with the slot')", Ct);
        await Db.ExecuteAsync(source, $"SELECT pg_drop_replication_slot('{slot}')", Ct);
        sync.Start();
        var health = await WaitForHealthAsync(sync, h => h.Status == 503 && h.Body.Contains("dropped behind ReJot's back", StringComparison.Ordinal), "unhealthy: slot lost");
        Assert.Contains("reset-source", health.Body, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            var status = await http.GetStringAsync(new Uri($"http://localhost:{sync.Port}/status"), Ct);
            Assert.Contains("dropped behind ReJot", status, StringComparison.Ordinal);
        }

        await WaitForAsync(() => Task.FromResult(sync.Tail().Contains("changes were lost", StringComparison.Ordinal)), "the critical log line", sync);
        // No new slot in silence, nothing applied meanwhile.
        await Db.ExecuteAsync(source, "INSERT INTO notes VALUES (3, 'written while stopped')", Ct);
        Assert.Equal(0, await Db.ScalarAsync(source, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'", Ct));

        // Refused without the explicit flag; then the way out.
        var refused = await RunCliAsync(["reset-source", "app", "--manifest", "rejot-manifest.json"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--accept-data-loss", refused.Output, StringComparison.Ordinal);
        var reset = await RunCliAsync(["reset-source", "app", "--accept-data-loss", "--manifest", "rejot-manifest.json"]);
        Assert.True(reset.ExitCode == 0, reset.Output);
        Assert.Contains("rejot backfill badinput/notes@1", reset.Output, StringComparison.Ordinal);
        await Consistency.WaitHealthyAsync(sync, "after reset-source", TimeSpan.FromSeconds(90), Ct);
        await Db.ExecuteAsync(source, "INSERT INTO notes VALUES (4, 'after the reset')", Ct);
        await WaitForAsync(async () => (await Db.RowsAsync(sink, "SELECT id FROM notes ORDER BY id", Ct)).SequenceEqual(["1", "4"]), "the row after the reset (and not the lost ones)", sync);

        var backfill = await RunCliAsync(["backfill", "badinput/notes@1", "--manifest", "rejot-manifest.json"]);
        Assert.True(backfill.ExitCode == 0, backfill.Output);
        await WaitForAsync(async () => (await Db.RowsAsync(sink, "SELECT id || ':' || body FROM notes ORDER BY id", Ct))
            .SequenceEqual(["1:before", "2:lost with the slot", "3:written while stopped", "4:after the reset"]), "every row after the backfill", sync);
        Assert.True(sync.AllLinesContaining.Count == 0, $"Stack trace in the output: {string.Join('\n', sync.AllLinesContaining.Take(2))}");
    }

    private async Task<(int ExitCode, string Output)> RunCliAsync(IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rejot.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(120), Ct);
        return (process.ExitCode, await output + await error);
    }

    private static readonly Dictionary<string, string> RetryQuickly = new()
    {
        ["ReJot__RetryInitialDelay"] = "00:00:00.200",
        ["ReJot__RetryMaxDelay"] = "00:00:01",
    };

    /// <summary>Writes the manifest; returns the slot name (also the publication name).</summary>
    private string WriteManifest(string source, string sink, string table, string properties, string transformation, string upsert)
    {
        static JsonObject Connection(string slug, string connectionString)
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return new JsonObject
            {
                ["slug"] = slug,
                ["config"] = new JsonObject
                {
                    ["connectionType"] = "postgres", ["host"] = b.Host, ["port"] = b.Port, ["user"] = b.Username, ["password"] = Password, ["database"] = b.Database,
                },
            };
        }

        var slot = $"rejot_bad_{Guid.NewGuid():N}"[..24];
        var manifest = new JsonObject
        {
            ["slug"] = "badinput",
            ["manifestVersion"] = 0,
            ["connections"] = new JsonArray(Connection("app", source), Connection("sink", sink)),
            ["dataStores"] = new JsonArray(
                new JsonObject { ["connectionSlug"] = "app", ["config"] = new JsonObject { ["connectionType"] = "postgres", ["slotName"] = slot, ["publicationName"] = slot } },
                new JsonObject { ["connectionSlug"] = "sink" }),
            ["eventStores"] = new JsonArray(new JsonObject { ["connectionSlug"] = "app" }),
            ["publicSchemas"] = new JsonArray(new JsonObject
            {
                ["name"] = table,
                ["source"] = new JsonObject { ["dataStoreSlug"] = "app" },
                ["outputSchema"] = JsonNode.Parse($$"""{"type":"object","properties":{{{properties}}},"$schema":"http://json-schema.org/draft-07/schema#"}"""),
                ["version"] = new JsonObject { ["major"] = 1, ["minor"] = 0 },
                ["keys"] = new JsonArray("id"),
                ["config"] = new JsonObject
                {
                    ["publicSchemaType"] = "postgres",
                    ["transformations"] = new JsonArray(
                        new JsonObject { ["operation"] = "insert", ["table"] = table, ["sql"] = transformation },
                        new JsonObject { ["operation"] = "update", ["table"] = table, ["sql"] = transformation }),
                },
            }),
            ["consumerSchemas"] = new JsonArray(new JsonObject
            {
                ["name"] = table + "-to-sink",
                ["sourceManifestSlug"] = "badinput",
                ["publicSchema"] = new JsonObject { ["name"] = table, ["majorVersion"] = 1 },
                ["config"] = new JsonObject { ["consumerSchemaType"] = "postgres", ["destinationDataStoreSlug"] = "sink", ["sql"] = upsert },
            }),
        };
        File.WriteAllText(Path.Combine(_directory, "rejot-manifest.json"), manifest.ToJsonString());
        return slot;
    }

    private static async Task<(int Status, string Body)> WaitForHealthAsync(SyncProcess sync, Func<(int Status, string Body), bool> condition, string what)
    {
        (int Status, string Body)? last = null;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            last = await sync.HealthAsync(Ct);
            if (last is { } h && condition(h))
            {
                return h;
            }

            await Task.Delay(100, Ct);
        }

        throw new Xunit.Sdk.XunitException($"Timed out waiting for /health {what}; last: {last?.Status} {last?.Body}\n{sync.Tail()}");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, SyncProcess sync, Func<Task<string>>? explain = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.\n{(explain is null ? "" : await explain())}\n{sync.Tail()}");
            }

            await Task.Delay(100, Ct);
        }
    }

    private static string Short(string row) => row.Length > 600 ? row[..600] + "…" : row;
}
