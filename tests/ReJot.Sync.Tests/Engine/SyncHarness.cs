using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

/// <summary>A source database, a destination database and an engine over them; drops its slot at the end.</summary>
internal sealed class SyncHarness : IAsyncDisposable
{
    private readonly List<SyncEngine> _engines = [];

    private SyncHarness(string name, string source, string destination)
    {
        Name = name;
        SourceConnectionString = source;
        DestinationConnectionString = destination;
        Source = NpgsqlDataSource.Create(source);
        Destination = NpgsqlDataSource.Create(destination);
    }

    public string Name { get; }

    public string SourceConnectionString { get; }

    public string DestinationConnectionString { get; }

    public NpgsqlDataSource Source { get; }

    public NpgsqlDataSource Destination { get; }

    public string SlotName => $"rejot_{Name}";

    public ReJotSyncOptions Options { get; } = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        RetryInitialDelay = TimeSpan.FromMilliseconds(100),
        RetryMaxDelay = TimeSpan.FromSeconds(1),
    };

    public static Task<SyncHarness> CreateAsync(PostgresFixture postgres, string name, string sourceDdl, string destinationDdl)
        => CreateAsync(postgres.CreateDatabaseAsync, name, sourceDdl, destinationDdl);

    public static async Task<SyncHarness> CreateAsync(Func<string, Task<string>> createDatabase, string name, string sourceDdl, string destinationDdl)
    {
        var harness = new SyncHarness(name, await createDatabase(name + "_src"), await createDatabase(name + "_dst"));
        await harness.ExecuteAsync(harness.Source, sourceDdl);
        await harness.ExecuteAsync(harness.Destination, destinationDdl);
        return harness;
    }

    public SyncModel Model(IReadOnlyList<PublicSchemaModel> publicSchemas, IReadOnlyList<ConsumerSchemaModel> consumers)
        => new(
            [new SourceDataStore("source", SlotName, $"rejot_pub_{Name}")],
            publicSchemas,
            consumers,
            new Dictionary<string, string> { ["source"] = SourceConnectionString, ["destination"] = DestinationConnectionString },
            null);

    public Task<SyncEngine> StartAsync(SyncModel model, ILoggerFactory? loggerFactory = null)
    {
        var engine = new SyncEngine(model, Options, loggerFactory ?? NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());
        _engines.Add(engine);
        // Set synchronously so the caller's async context sees it.
        Eventually.Describe = () => System.Text.Json.JsonSerializer.Serialize(engine.GetStatus());
        return StartCoreAsync(engine);
    }

    private static async Task<SyncEngine> StartCoreAsync(SyncEngine engine)
    {
        await engine.StartAsync(TestContext.Current.CancellationToken);
        return engine;
    }

    public async Task StopAsync(SyncEngine engine)
    {
        await engine.DisposeAsync();
        _engines.Remove(engine);
    }

    public async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<string>> RowsAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines)
        {
            await engine.DisposeAsync();
        }

        try
        {
            await using var command = Source.CreateCommand($"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{SlotName}'");
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException)
        {
            // Best effort: the slot may be in use by a reader that is still shutting down.
        }

        await Source.DisposeAsync();
        await Destination.DisposeAsync();
    }
}

internal static class Eventually
{
    private static readonly AsyncLocal<Func<string>?> s_describe = new();

    public static Func<string>? Describe { get => s_describe.Value; set => s_describe.Value = value; }

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}. {Describe?.Invoke()}");
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    public static Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => WaitAsync(() => Task.FromResult(condition()), what, timeout);
}

internal static class Schemas
{
    public static readonly PublicSchemaKey Account = new("accounts-service", "account", 1);

    public const string AccountOutputSchema = """
        {"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"balance":{"type":["number","null"]}},
         "required":["id","name"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
        """;

    public static PublicSchemaModel AccountSchema(string sql = "SELECT id, name, balance FROM accounts WHERE id = :id", params TransformationModel[] extra)
        => new(Account, 0, "source", AccountOutputSchema, ["id"],
        [
            new(TransformOperation.Insert, TableName.Parse("accounts"), sql),
            new(TransformOperation.Update, TableName.Parse("accounts"), sql),
            .. extra,
        ]);

    public static ConsumerSchemaModel Consumer(string name, string sql, string? deleteSql, PublicSchemaKey? source = null)
        => new("orders-service", name, source ?? Account, "destination", sql, deleteSql);
}
