using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;

namespace ReJot.Sync.Http;

/// <summary>Maps the sync service's HTTP API (the original ReJot routes plus bearer-token authentication and long polling).</summary>
public static class ReJotSyncEndpoints
{
    private static readonly (string Method, string Path)[] s_routes =
    [
        ("GET", "/"),
        ("GET", "/status"),
        ("GET", "/public-schemas"),
        ("GET", "/data-store/cursors"),
        ("GET", "/read"),
    ];

    /// <summary>
    /// Maps <c>GET /</c> (health and route list, anonymous), and, behind the bearer-token check, <c>/status</c>,
    /// <c>/public-schemas</c>, <c>/data-store/cursors</c> and <c>/read?cursors=&lt;json&gt;&amp;limit=1..1000&amp;wait=&lt;ms&gt;&amp;consumer=&lt;slug/name&gt;</c>.
    /// Authentication settings come from <c>ReJot:Http</c> (see <see cref="ReJotHttpOptions"/>), or from a
    /// <see cref="ReJotHttpOptions"/> instance registered in DI.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder (e.g. the <c>WebApplication</c>).</param>
    /// <param name="prefix">A path prefix for all routes (default none).</param>
    /// <returns>The route group, for further conventions.</returns>
    public static RouteGroupBuilder MapReJotSync(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetService<ReJotHttpOptions>()
            ?? (endpoints.ServiceProvider.GetService<IConfiguration>() is { } configuration ? ReJotHttpOptions.FromConfiguration(configuration) : new ReJotHttpOptions());
        var authentication = new BearerTokenAuthentication(options);

        var root = endpoints.MapGroup(prefix);
        root.MapGet("/", () => new JsonWriterResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("health", "ok");
            writer.WriteStartArray("routes");
            foreach (var (method, path) in s_routes)
            {
                writer.WriteStartObject();
                writer.WriteString("method", method);
                writer.WriteString("path", path);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }));

        var secured = root.MapGroup(string.Empty);
        secured.AddEndpointFilter(async (context, next) =>
        {
            var refusal = authentication.Check(context.HttpContext);
            return refusal is null ? await next(context).ConfigureAwait(false) : SyncHttpJson.Error(StatusCodes.Status401Unauthorized, refusal);
        });

        secured.MapGet("/status", async (HttpContext context) =>
        {
            var backend = Backend(context);
            IReadOnlyList<BackfillInfo>? backfills;
            try
            {
                backfills = await backend.GetRecentBackfillsAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The state stays answerable while the event store is down.
                backfills = null;
            }

            return new JsonWriterResult(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("state", backend.State);
                if (backfills is { Count: > 0 })
                {
                    // Ours, beside the original's {state} (left out when empty, so a quiet service answers exactly as
                    // the original): running and recent backfills with their progress.
                    writer.WriteStartArray("backfills");
                    foreach (var backfill in backfills)
                    {
                        SyncHttpJson.WriteBackfill(writer, backfill);
                    }

                    writer.WriteEndArray();
                }

                if (backend.Problems is { Count: > 0 } problems)
                {
                    writer.WriteStartArray("problems");
                    foreach (var problem in problems)
                    {
                        writer.WriteStringValue(problem);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            });
        });

        secured.MapGet("/public-schemas", (HttpContext context) =>
        {
            var schemas = Backend(context).PublicSchemas;
            return new JsonWriterResult(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartArray();
                foreach (var schema in schemas)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", schema.Key.Name);
                    writer.WriteStartObject("source");
                    writer.WriteString("dataStoreSlug", schema.DataStoreSlug);
                    writer.WriteStartArray("tables");
                    foreach (var table in schema.Tables)
                    {
                        writer.WriteStringValue(table);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    writer.WriteStartObject("version");
                    writer.WriteNumber("major", schema.Key.Major);
                    writer.WriteNumber("minor", schema.Minor);
                    writer.WriteEndObject();
                    writer.WritePropertyName("outputSchema");
                    writer.WriteRawValue(schema.OutputSchemaJson);
                    writer.WriteString("manifestSlug", schema.Key.ManifestSlug);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        });

        secured.MapGet("/data-store/cursors", async (HttpContext context) =>
        {
            var cursors = await Backend(context).GetDataStoreCursorsAsync(context.RequestAborted).ConfigureAwait(false);
            return new JsonWriterResult(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartArray();
                foreach (var cursor in cursors)
                {
                    SyncHttpJson.WriteCursor(writer, cursor.Schema, cursor.CommitLsn);
                }

                writer.WriteEndArray();
            });
        });

        secured.MapGet("/read", (Func<HttpContext, Task<IResult>>)(context => ReadAsync(context, options)));
        return root;
    }

    private static ISyncHttpBackend Backend(HttpContext context)
        => context.RequestServices.GetService<ISyncHttpBackend>()
            ?? throw new InvalidOperationException("MapReJotSync needs the sync engine's services: call AddReJotSync() on the service collection.");

    private static async Task<IResult> ReadAsync(HttpContext context, ReJotHttpOptions options)
    {
        var query = context.Request.Query;
        foreach (var name in (string[])["cursors", "limit", "wait", "consumer"])
        {
            if (query[name].Count > 1)
            {
                return SyncHttpJson.Error(StatusCodes.Status400BadRequest, $"{name} is given more than once.");
            }
        }

        ReadQuery read;
        string? consumer;
        try
        {
            read = ReadQuery.Parse(query["cursors"].FirstOrDefault(), query["limit"].FirstOrDefault(), query["wait"].FirstOrDefault(), options.MaxWait);
            consumer = ReadQuery.ParseConsumer(query["consumer"].FirstOrDefault());
        }
        catch (ReadQueryException ex)
        {
            return SyncHttpJson.Error(StatusCodes.Status400BadRequest, ex.Message);
        }

        var backend = Backend(context);
        var published = backend.PublicSchemas.Select(s => s.Key).ToHashSet();
        foreach (var cursor in read.Cursors)
        {
            if (!published.Contains(cursor.Schema))
            {
                var known = published.Count == 0 ? "none" : string.Join(", ", published.Select(k => k.ToString()).Order(StringComparer.Ordinal));
                return SyncHttpJson.Error(StatusCodes.Status400BadRequest,
                    $"This sync service does not publish {cursor.Schema} (manifest->name@major). It publishes: {known}.");
            }
        }

        if (backend.EventStore is not { } store)
        {
            return SyncHttpJson.Error(StatusCodes.Status503ServiceUnavailable, backend.State is "initial"
                ? "This sync service is starting; retry shortly."
                : "This sync service has no event store to read from.");
        }

        // A long poll ends when the host stops: the server waits for open requests before it stops, and a
        // consumer's next read then goes to the restarted service.
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        try
        {
            var deadline = DateTime.UtcNow + read.Wait;
            while (true)
            {
                var perCursor = new List<IReadOnlyList<EventTransaction>>(read.Cursors.Count);
                foreach (var cursor in read.Cursors)
                {
                    perCursor.Add(await store.ReadTransactionsAsync(cursor.Schema, cursor.AfterCommitLsn ?? 0, read.Limit, consumer, context.RequestAborted).ConfigureAwait(false));
                }

                var remaining = deadline - DateTime.UtcNow;
                if (perCursor.Any(t => t.Count > 0) || read.Cursors.Count == 0 || remaining <= TimeSpan.Zero || stopping.IsCancellationRequested)
                {
                    return new JsonWriterResult(StatusCodes.Status200OK, writer => SyncHttpJson.WriteTransactions(writer, perCursor));
                }

                using var waitOrStop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                try
                {
                    await WaitForAnyAsync(store, read.Cursors, consumer, remaining, waitOrStop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                {
                    // Answer with what there is (nothing) below.
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return SyncHttpJson.Error(StatusCodes.Status503ServiceUnavailable, "The event store is unavailable: " + ex.Message);
        }
    }

    private static async Task WaitForAnyAsync(IEventStore store, IReadOnlyList<ReadCursor> cursors, string? consumer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        var waits = cursors.Select(c => store.WaitForEventsAsync(c.Schema, EventPosition.AfterTransaction(c.AfterCommitLsn ?? 0), consumer, wait.Token)).ToArray();
        await Task.WhenAny(waits).ConfigureAwait(false);

        // Stop the other waits and observe their cancellations.
        await wait.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(waits).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
