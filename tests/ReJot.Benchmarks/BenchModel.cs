using ReJot.Sync.EventStore;
using ReJot.Sync.Model;

namespace ReJot.Benchmarks;

/// <summary>The benchmark's table, contract and consumer: the same rows ReJot and native replication carry.</summary>
internal static class BenchModel
{
    public const string Table = "bench";

    public const string SourceDdl = "CREATE TABLE bench (id bigint PRIMARY KEY, name text, amount numeric, updated_at timestamptz)";

    /// <summary>The sink has one more column: when the row arrived (clock_timestamp() at insert; same clock as the source's commit timestamps).</summary>
    public const string SinkDdl = "CREATE TABLE bench (id bigint PRIMARY KEY, name text, amount numeric, updated_at timestamptz, seen_at timestamptz DEFAULT clock_timestamp())";

    /// <summary>Row count and an order-independent checksum of every replicated column (seen_at excluded).</summary>
    public const string ChecksumSql =
        "SELECT count(*), coalesce(sum(hashtextextended(concat_ws('|', id, name, amount, extract(epoch FROM updated_at)), 0)::numeric), 0)::text FROM bench";

    public static readonly PublicSchemaKey Key = new("bench-pub", "row", 1);

    private const string OutputSchema = """
        {"type":"object","properties":{"id":{"type":"integer"},"name":{"type":["string","null"]},"amount":{"type":["number","null"]},
         "updated_at":{"type":["string","null"]}},"required":["id"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
        """;

    private const string Transformation = "SELECT id, name, amount, updated_at FROM bench WHERE id = :id";

    private const string Upsert = "INSERT INTO bench (id, name, amount, updated_at) VALUES (:id, :name, :amount, :updated_at) "
        + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, updated_at = EXCLUDED.updated_at";

    private const string Delete = "DELETE FROM bench WHERE id = :id";

    public static PublicSchemaModel PublicSchema()
        => new(Key, 0, "source", OutputSchema, ["id"],
        [
            new(TransformOperation.Insert, TableName.Parse(Table), Transformation),
            new(TransformOperation.Update, TableName.Parse(Table), Transformation),
        ]);

    public static ConsumerSchemaModel Consumer() => new("bench-sub", "into-sink", Key, "sink", Upsert, Delete);

    /// <summary>
    /// One engine: source, public schema, consumer into the sink; the event store in the source database, or in its own
    /// database when <paramref name="eventStoreConnection"/> is given.
    /// </summary>
    public static SyncModel Local(string sourceConnection, string sinkConnection, string slot, string? eventStoreConnection = null)
    {
        var connections = new Dictionary<string, string> { ["source"] = sourceConnection, ["sink"] = sinkConnection };
        if (eventStoreConnection is not null)
        {
            connections["events"] = eventStoreConnection;
        }

        return new([new SourceDataStore("source", slot, slot)], [PublicSchema()], [Consumer()], connections, eventStoreConnection is null ? null : "events");
    }

    /// <summary>The publishing service of the cross-service scenario: source and event store, no consumer.</summary>
    public static SyncModel Publisher(string sourceConnection, string slot)
        => new([new SourceDataStore("source", slot, slot)], [PublicSchema()], [], new Dictionary<string, string> { ["source"] = sourceConnection }, null);

    /// <summary>The consuming service: only the consumer, reading the publisher's events over HTTP.</summary>
    public static SyncModel Subscriber(string sinkConnection)
        => new([], [], [Consumer()], new Dictionary<string, string> { ["sink"] = sinkConnection }, null);
}
