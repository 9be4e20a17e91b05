using ReJot.Manifest;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Engine;

/// <summary>
/// SQL in names and values, end to end against PostgreSQL: identifiers the engine builds statements from are either
/// quoted (schemas, tables) or refused with a clear message (slot and publication names, which replication commands
/// cannot quote); values travel as parameters and come out as the same text.
/// </summary>
public sealed class InjectionTests(PostgresFixture postgres)
{
    private const string Evil = "\"; DROP TABLE victim; --";
    private const string EvilSchema = "sch'; DROP TABLE victim; --";
    private const string EvilTable = "t\"; DROP TABLE victim; --";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [Fact]
    public async Task Hostile_schema_table_and_schema_names_are_quoted_and_hostile_values_round_trip_as_data()
    {
        var table = $"{Quote(EvilSchema)}.{Quote(EvilTable)}";
        await using var h = await SyncHarness.CreateAsync(postgres, "inject",
            $"""
            CREATE TABLE victim (id int);
            CREATE SCHEMA {Quote(EvilSchema)};
            CREATE TABLE {table} (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
            """,
            """
            CREATE TABLE victim (id int);
            CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);
            """);
        var key = new PublicSchemaKey("svc'; DROP TABLE victim; --", "acc" + Evil, 1);
        var sql = $"SELECT id, name, balance FROM {table} WHERE id = :id";
        var schema = new PublicSchemaModel(key, 0, "source", Schemas.AccountOutputSchema, ["id"],
        [
            new(TransformOperation.Insert, TableName.Parse(table), sql),
            new(TransformOperation.Update, TableName.Parse(table), sql),
        ]);
        var consumer = new ConsumerSchemaModel("orders'; DROP TABLE victim; --", "c" + Evil, key, "destination",
            "INSERT INTO order_accounts (id, name, balance) VALUES (:id, :name, :balance) ON CONFLICT (id) DO UPDATE SET name = :name, balance = :balance",
            "DELETE FROM order_accounts WHERE id = :id");
        var engine = await h.StartAsync(h.Model([schema], [consumer]));

        string[] values = ["'); DROP TABLE victim; --", Evil, "$1 :id :name ? \\ \\' '' \"\"", "ü 😀 \u0001 end", "$$ DROP TABLE victim; $$", "E'\\x00'"];
        for (var i = 0; i < values.Length; i++)
        {
            await using var insert = h.Source.CreateCommand($"INSERT INTO {table} VALUES ($1, $2, 1)");
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (long)i });
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = values[i] });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == values.Length, "every row in the destination", TimeSpan.FromSeconds(60));
        Assert.Equal(values, await h.RowsAsync(h.Destination, "SELECT name FROM order_accounts ORDER BY id"));
        Assert.Equal(values.Length, (await engine.EventStore.ReadEventsAsync(key, EventPosition.Start, 100, Ct)).Count);
        Assert.Equal(1, await h.ScalarAsync<long>(h.Source, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = 'rejot_pub_inject' AND schemaname = '{EvilSchema.Replace("'", "''", StringComparison.Ordinal)}'"));
        Assert.Equal(1, await h.ScalarAsync<long>(h.Source, "SELECT count(*) FROM pg_tables WHERE tablename = 'victim'"));
        Assert.Equal(1, await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM pg_tables WHERE tablename = 'victim'"));
        Assert.Null(engine.GetStatus().Sources.Single().Error);
    }

    [Theory]
    [InlineData("slot", "rejot_x'; DROP TABLE victim; --")]
    [InlineData("slot", "rejot_x\" LOGICAL 0/0; DROP TABLE victim")]
    [InlineData("publication", "pub\"; DROP TABLE victim; --")]
    [InlineData("publication", "Pub")]
    [InlineData("slot", "")]
    public async Task Slot_and_publication_names_with_sql_or_unquotable_characters_are_refused_before_anything_runs(string which, string name)
    {
        var db = await postgres.CreateDatabaseAsync($"inject_{which}_{Math.Abs(name.GetHashCode(StringComparison.Ordinal))}");
        await using (var source = Npgsql.NpgsqlDataSource.Create(db))
        await using (var create = source.CreateCommand("CREATE TABLE victim (id int); CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric)"))
        {
            await create.ExecuteNonQueryAsync(Ct);
        }

        // Through configuration (ReJot:DataStores:<slug>:…), which the manifest verifier does not see.
        var options = new ReJotSyncOptions { UseGeneratedManifests = false };
        options.DataStores["source"] = which == "slot" ? new DataStoreOptions { SlotName = name } : new DataStoreOptions { PublicationName = name };
        var manifest = ManifestSerializer.Read(
            """
            {"slug": "svc", "manifestVersion": 0, "dataStores": [{"connectionSlug": "source"}],
             "publicSchemas": [{"name": "account", "source": {"dataStoreSlug": "source"}, "outputSchema": {"type": "object"}, "version": {"major": 1, "minor": 0},
               "config": {"publicSchemaType": "postgres", "transformations": [{"operation": "insert", "table": "accounts", "sql": "SELECT id FROM accounts WHERE id = :id"}]}}]}
            """);
        var refused = Assert.Throws<SyncConfigurationException>(() => SyncModelBuilder.Build([manifest], options, _ => db));
        Assert.Contains($"Data store 'source': {which} name", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"ReJot:DataStores:source:{(which == "slot" ? "SlotName" : "PublicationName")}", refused.Message, StringComparison.Ordinal);

        // A model built in code is checked by the engine itself, before it touches the database.
        var model = new SyncModel(
            [new SourceDataStore("source", which == "slot" ? name : "rejot_ok", which == "slot" ? "rejot_ok" : name)],
            [Schemas.AccountSchema()], [], new Dictionary<string, string> { ["source"] = db }, null);
        await using var engine = new SyncEngine(model, new ReJotSyncOptions(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System, new SyncMetrics());
        var failed = await Assert.ThrowsAsync<SyncConfigurationException>(() => engine.StartAsync(Ct));
        Assert.Contains("lower-case letters, digits or '_'", failed.Message, StringComparison.Ordinal);
        await using var check = Npgsql.NpgsqlDataSource.Create(db);
        await using var count = check.CreateCommand("SELECT (SELECT count(*) FROM pg_tables WHERE tablename = 'victim') * 10 + (SELECT count(*) FROM pg_replication_slots WHERE database = current_database()) + (SELECT count(*) FROM pg_publication)");
        Assert.Equal(10L, await count.ExecuteScalarAsync(Ct));
    }
}
