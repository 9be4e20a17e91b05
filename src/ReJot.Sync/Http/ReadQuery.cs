using System.Globalization;
using System.Text.Json;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Http;

/// <summary>One cursor of a <c>/read</c> request: the schema and the last transaction the client has (null: none).</summary>
internal sealed record ReadCursor(PublicSchemaKey Schema, long? AfterCommitLsn);

/// <summary>
/// Parses and validates the <c>/read</c> query: <c>cursors</c> (JSON array of
/// <c>{"schema":{"manifest":{"slug"},"schema":{"name","version":{"major"}}},"transactionId":string|null}</c>),
/// <c>limit</c> (1..1000, default 100) and our <c>wait</c> (long-poll milliseconds, 0..max).
/// </summary>
internal sealed record ReadQuery(IReadOnlyList<ReadCursor> Cursors, int Limit, TimeSpan Wait)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static ReadQuery Parse(string? cursors, string? limit, string? wait, TimeSpan maxWait)
    {
        var parsedLimit = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit is < 1 or > MaxLimit))
        {
            throw new ReadQueryException($"limit must be a whole number from 1 to {MaxLimit}, not '{limit}'.");
        }

        var parsedWait = TimeSpan.Zero;
        if (wait is not null)
        {
            if (!int.TryParse(wait, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds > maxWait.TotalMilliseconds)
            {
                throw new ReadQueryException(
                    $"wait must be a whole number of milliseconds from 0 to {((long)maxWait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}, not '{wait}'.");
            }

            parsedWait = TimeSpan.FromMilliseconds(milliseconds);
        }

        return new ReadQuery(cursors is null ? [] : ParseCursors(cursors), parsedLimit, parsedWait);
    }

    /// <summary>
    /// Our optional <c>consumer</c> parameter (<c>manifest-slug/consumer-name</c>): the reader also gets the events
    /// stored for that consumer only (a backfill requested for it). Absent: untargeted events only, as the original.
    /// </summary>
    public static string? ParseConsumer(string? consumer)
    {
        if (consumer is null)
        {
            return null;
        }

        var slash = consumer.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == consumer.Length - 1 || consumer.IndexOf('/', slash + 1) >= 0 || consumer.Length > 512 || consumer.Any(char.IsWhiteSpace))
        {
            throw new ReadQueryException($"consumer must be the reading consumer as manifest-slug/consumer-name, not '{consumer}'.");
        }

        return consumer;
    }

    private static List<ReadCursor> ParseCursors(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new ReadQueryException($"cursors is not valid JSON ({ex.Message}); expected an array of {{\"schema\":{{\"manifest\":{{\"slug\":..}},\"schema\":{{\"name\":..,\"version\":{{\"major\":..}}}}}},\"transactionId\":..|null}}.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ReadQueryException("cursors must be a JSON array of cursors.");
            }

            var result = new List<ReadCursor>();
            var seen = new HashSet<PublicSchemaKey>();
            var i = 0;
            foreach (var cursor in document.RootElement.EnumerateArray())
            {
                var at = $"cursors[{i.ToString(CultureInfo.InvariantCulture)}]";
                var schema = Property(cursor, "schema", JsonValueKind.Object, at);
                var slug = Property(Property(schema, "manifest", JsonValueKind.Object, at + ".schema"), "slug", JsonValueKind.String, at + ".schema.manifest").GetString()!;
                var inner = Property(schema, "schema", JsonValueKind.Object, at + ".schema");
                var name = Property(inner, "name", JsonValueKind.String, at + ".schema.schema").GetString()!;
                var majorElement = Property(Property(inner, "version", JsonValueKind.Object, at + ".schema.schema"), "major", JsonValueKind.Number, at + ".schema.schema.version");
                if (!majorElement.TryGetInt32(out var major) || major < 0)
                {
                    throw new ReadQueryException($"{at}.schema.schema.version.major must be a non-negative whole number.");
                }

                long? after = null;
                if (cursor.ValueKind == JsonValueKind.Object && cursor.TryGetProperty("transactionId", out var transactionId) && transactionId.ValueKind != JsonValueKind.Null)
                {
                    if (transactionId.ValueKind != JsonValueKind.String || !TransactionIds.TryParse(transactionId.GetString(), out var lsn))
                    {
                        throw new ReadQueryException(
                            $"{at}.transactionId must be null or a transaction id (16 hex digits, or an LSN such as 0/16B3748), not {transactionId.GetRawText()}.");
                    }

                    after = lsn;
                }

                var key = new PublicSchemaKey(slug, name, major);
                if (!seen.Add(key))
                {
                    throw new ReadQueryException($"{at} repeats the cursor for {key}.");
                }

                result.Add(new ReadCursor(key, after));
                i++;
            }

            return result;
        }
    }

    private static JsonElement Property(JsonElement element, string name, JsonValueKind kind, string at)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new ReadQueryException($"{at}.{name} is missing or not a JSON {kind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }
}

/// <summary>A malformed <c>/read</c> query (answered with 400 and this message).</summary>
internal sealed class ReadQueryException(string message) : Exception(message);
