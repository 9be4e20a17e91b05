using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Http;

/// <summary>The original's JSON shapes, written directly (event objects are stored JSON and are copied verbatim).</summary>
internal static class SyncHttpJson
{
    public static void WriteSchemaReference(Utf8JsonWriter writer, PublicSchemaKey key)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("manifest");
        writer.WriteString("slug", key.ManifestSlug);
        writer.WriteEndObject();
        writer.WriteStartObject("schema");
        writer.WriteString("name", key.Name);
        writer.WriteStartObject("version");
        writer.WriteNumber("major", key.Major);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteCursor(Utf8JsonWriter writer, PublicSchemaKey key, long? commitLsn)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("schema");
        WriteSchemaReference(writer, key);
        if (commitLsn is { } lsn)
        {
            writer.WriteString("transactionId", TransactionIds.Format(lsn));
        }
        else
        {
            writer.WriteNull("transactionId");
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Transactions of several schemas merged by transaction id (ascending); inside one transaction the operations
    /// keep the order of the cursors, then the stored order.
    /// </summary>
    public static void WriteTransactions(Utf8JsonWriter writer, IReadOnlyList<IReadOnlyList<EventTransaction>> perCursor)
    {
        var merged = perCursor
            .SelectMany((transactions, cursorIndex) => transactions.Select(t => (t.CommitLsn, CursorIndex: cursorIndex, t.Events)))
            .GroupBy(t => t.CommitLsn)
            .OrderBy(g => g.Key);
        writer.WriteStartArray();
        foreach (var transaction in merged)
        {
            writer.WriteStartObject();
            writer.WriteString("transactionId", TransactionIds.Format(transaction.Key));
            writer.WriteStartArray("operations");
            foreach (var part in transaction.OrderBy(p => p.CursorIndex))
            {
                foreach (var e in part.Events)
                {
                    WriteOperation(writer, e);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteOperation(Utf8JsonWriter writer, StoredEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("type", e.Operation switch
        {
            EventOperation.Insert => "insert",
            EventOperation.Update => "update",
            _ => "delete",
        });
        writer.WriteString("sourceManifestSlug", e.Schema.ManifestSlug);
        writer.WriteStartObject("sourcePublicSchema");
        writer.WriteString("name", e.Schema.Name);
        writer.WriteStartObject("version");
        writer.WriteNumber("major", e.Schema.Major);
        writer.WriteNumber("minor", e.Minor);
        writer.WriteEndObject();
        writer.WriteEndObject();

        // Deletes carry the contract's key fields, under the original's name.
        writer.WritePropertyName(e.Operation == EventOperation.Delete ? "objectKeys" : "object");
        writer.WriteRawValue(e.ObjectJson, skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>A backfill and its progress, as <c>/status</c> lists it.</summary>
    public static void WriteBackfill(Utf8JsonWriter writer, Hosting.BackfillInfo backfill)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", backfill.Id);
        writer.WriteString("publicSchema", $"{backfill.ManifestSlug}/{backfill.PublicSchema}@{backfill.Major}");
        WriteStringOrNull(writer, "forConsumer", backfill.ForConsumer);
        WriteStringOrNull(writer, "filter", backfill.Filter);
        writer.WriteString("state", backfill.State.ToString().ToLowerInvariant());
        writer.WriteNumber("rowsRead", backfill.RowsRead);
        writer.WriteNumber("rowsEstimated", backfill.EstimatedRows);
        writer.WriteNumber("eventsStored", backfill.EventsStored);
        if (backfill.RowsPerSecond is { } rate)
        {
            writer.WriteNumber("rowsPerSecond", Math.Round(rate, 1));
        }
        else
        {
            writer.WriteNull("rowsPerSecond");
        }

        if (backfill.EstimatedRemaining is { } eta)
        {
            writer.WriteNumber("etaSeconds", Math.Round(eta.TotalSeconds));
        }
        else
        {
            writer.WriteNull("etaSeconds");
        }

        writer.WriteString("createdAt", backfill.CreatedAt);
        WriteTimeOrNull(writer, "startedAt", backfill.StartedAt);
        writer.WriteString("updatedAt", backfill.UpdatedAt);
        WriteTimeOrNull(writer, "completedAt", backfill.CompletedAt);
        WriteStringOrNull(writer, "error", backfill.Error);
        writer.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteTimeOrNull(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static IResult Error(int statusCode, string message) => new JsonWriterResult(statusCode, writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("statusCode", statusCode);
        writer.WriteString("error", ReasonPhrase(statusCode));
        writer.WriteString("message", message);
        writer.WriteEndObject();
    });

    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Error",
    };
}

/// <summary>An <see cref="IResult"/> that writes JSON with a <see cref="Utf8JsonWriter"/>.</summary>
internal sealed class JsonWriterResult(int statusCode, Action<Utf8JsonWriter> write) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        if (statusCode == StatusCodes.Status401Unauthorized)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"rejot\"";
        }

        // Relaxed escaping: messages keep '->' and quotes readable; the body is JSON, never embedded in HTML.
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
