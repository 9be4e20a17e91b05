using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.Testing;

// End-to-end rate of the sync engine on this machine: source WAL -> transformation -> event store -> consumer
// -> destination, measured from the first source write until the destination holds every row.
// Run: dotnet run -c Release --project tests/ReJot.Benchmarks [rows]
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
await using var server = await ThrowawayPostgres.StartAsync();
Console.WriteLine($"PostgreSQL: {server.Kind}, {Environment.ProcessorCount} cores, {rows:N0} rows per scenario");

await RunAsync("single-row transactions", async source =>
{
    // Four writers, one INSERT (one transaction) each call, like pgbench -c 4.
    var next = 0;
    await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("INSERT INTO accounts (id, name, balance) VALUES ($1, 'name', 12.5)", connection);
        var id = new NpgsqlParameter<long> { TypedValue = 0 };
        command.Parameters.Add(id);
        await command.PrepareAsync();
        int n;
        while ((n = Interlocked.Increment(ref next)) <= rows)
        {
            id.TypedValue = n;
            await command.ExecuteNonQueryAsync();
        }
    }));
});

await RunAsync("one transaction", async source =>
{
    await using var command = source.CreateCommand($"INSERT INTO accounts (id, name, balance) SELECT g, 'name', 12.5 FROM generate_series(1, {rows}) g");
    await command.ExecuteNonQueryAsync();
});

async Task RunAsync(string name, Func<NpgsqlDataSource, Task> write)
{
    var tag = name.Replace(' ', '_').Replace('-', '_');
    var sourceCs = await server.CreateDatabaseAsync($"bench_src_{tag}");
    var destinationCs = await server.CreateDatabaseAsync($"bench_dst_{tag}");
    await using var source = NpgsqlDataSource.Create(sourceCs);
    await using var destination = NpgsqlDataSource.Create(destinationCs);
    await Execute(source, "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric)");
    await Execute(destination, "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric)");
    var schemaKey = new PublicSchemaKey("bench", "account", 1);
    const string sql = "SELECT id, name, balance FROM accounts WHERE id = :id";
    var model = new SyncModel(
        [new SourceDataStore("source", $"bench_{tag}", $"bench_{tag}")],
        [new PublicSchemaModel(schemaKey, 0, "source",
            """{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"balance":{"type":"number"}},"required":["id","name"]}""",
            ["id"], [new(TransformOperation.Insert, TableName.Parse("accounts"), sql), new(TransformOperation.Update, TableName.Parse("accounts"), sql)])],
        [new ConsumerSchemaModel("bench", "into-orders", schemaKey, "destination",
            "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance",
            "DELETE FROM order_accounts WHERE id = :id")],
        new Dictionary<string, string> { ["source"] = sourceCs, ["destination"] = destinationCs },
        null);
    await using var engine = new SyncEngine(model, new ReJotSyncOptions(), NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());
    await engine.StartAsync(CancellationToken.None);

    var total = Stopwatch.StartNew();
    await write(source);
    var written = total.Elapsed;
    var stored = TimeSpan.Zero;
    while (true)
    {
        if (stored == TimeSpan.Zero && engine.GetStatus().Sources[0].Events >= rows)
        {
            stored = total.Elapsed;
        }

        await using var count = destination.CreateCommand("SELECT count(*) FROM order_accounts");
        if ((long)(await count.ExecuteScalarAsync())! >= rows)
        {
            break;
        }

        await Task.Delay(20);
    }

    total.Stop();
    if (stored == TimeSpan.Zero)
    {
        stored = total.Elapsed;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-24}: end-to-end {total.Elapsed.TotalSeconds,6:F1} s = {rows / total.Elapsed.TotalSeconds,8:N0} rows/s | source writes done at {written.TotalSeconds:F1} s | all events stored at {stored.TotalSeconds:F1} s ({rows / stored.TotalSeconds:N0} events/s)"));
    await engine.StopAsync(CancellationToken.None);
    await Execute(source, $"SELECT pg_drop_replication_slot('bench_{tag}')");
}

static async Task Execute(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}
