using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ReJot.Sync.Backfill;

/// <summary>
/// One chunk of a backfill as it travels through the WAL: the high watermark message
/// (<c>pg_logical_emit_message(true, 'rejot_backfill', …)</c>) written by the transaction that read the chunk. It
/// carries the reading transaction's snapshot, the objects its transformations produced, the progress to store
/// with them, and the consumer the events are for when the backfill was requested for one consumer only.
/// </summary>
internal sealed record BackfillChunk(
    long BackfillId,
    string Session,
    long Sequence,
    int TableIndex,
    string Snapshot,
    IReadOnlyList<string> LastKey,
    int RowsRead,
    bool TableDone,
    bool Completed,
    IReadOnlyList<string> Objects,
    string? ForConsumer = null)
{
    /// <summary>The logical decoding message prefix of backfill chunks.</summary>
    public const string Prefix = "rejot_backfill";

    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", BackfillId);
            writer.WriteString("session", Session);
            writer.WriteNumber("seq", Sequence);
            writer.WriteNumber("table", TableIndex);
            writer.WriteString("snapshot", Snapshot);
            writer.WriteStartArray("last");
            foreach (var value in LastKey)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
            writer.WriteNumber("read", RowsRead);
            writer.WriteBoolean("tableDone", TableDone);
            writer.WriteBoolean("completed", Completed);
            if (ForConsumer is not null)
            {
                writer.WriteString("for", ForConsumer);
            }

            writer.WriteStartArray("objects");
            foreach (var json in Objects)
            {
                writer.WriteRawValue(json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static BackfillChunk Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new BackfillChunk(
            root.GetProperty("id").GetInt64(),
            root.GetProperty("session").GetString()!,
            root.GetProperty("seq").GetInt64(),
            root.GetProperty("table").GetInt32(),
            root.GetProperty("snapshot").GetString()!,
            root.GetProperty("last").EnumerateArray().Select(e => e.GetString()!).ToList(),
            root.GetProperty("read").GetInt32(),
            root.GetProperty("tableDone").GetBoolean(),
            root.GetProperty("completed").GetBoolean(),
            root.GetProperty("objects").EnumerateArray().Select(e => e.GetRawText()).ToList(),
            root.TryGetProperty("for", out var forConsumer) ? forConsumer.GetString() : null);
    }
}
