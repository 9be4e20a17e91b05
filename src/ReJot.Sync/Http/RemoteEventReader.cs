using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Http;

/// <summary>Why a read from another sync service failed.</summary>
internal enum RemoteReadFailure
{
    /// <summary>The resolver does not know the manifest slug (configuration).</summary>
    Unresolved,

    /// <summary>No connection (refused, DNS, reset).</summary>
    Unreachable,

    /// <summary>No answer within the request timeout.</summary>
    Timeout,

    /// <summary>401/403: missing or wrong token.</summary>
    Unauthorized,

    /// <summary>400: the service rejected the request (e.g. it does not publish the schema).</summary>
    BadRequest,

    /// <summary>5xx: the service (or its event store) is failing.</summary>
    ServerError,

    /// <summary>The answer is not the expected JSON.</summary>
    InvalidResponse,
}

/// <summary>A typed failure of <see cref="RemoteEventReader"/>. <see cref="IsTransient"/> failures are retried with backoff.</summary>
internal sealed class RemoteSyncServiceException(RemoteReadFailure failure, string manifestSlug, Uri? endpoint, string message, int? statusCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public RemoteReadFailure Failure => failure;

    public string ManifestSlug => manifestSlug;

    public Uri? Endpoint => endpoint;

    public int? StatusCode => statusCode;

    /// <summary>True for failures that go away by themselves (service down or restarting, timeouts, 5xx).</summary>
    public bool IsTransient => failure is RemoteReadFailure.Unreachable or RemoteReadFailure.Timeout or RemoteReadFailure.ServerError;
}

/// <summary>Settings of <see cref="RemoteEventReader"/>.</summary>
internal sealed record RemoteEventReaderOptions
{
    /// <summary>The bearer token to send, or null.</summary>
    public string? Token { get; init; }

    /// <summary>Upper bound of one request beyond its long-poll wait.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one long poll may wait on the server for new events.</summary>
    public TimeSpan LongPollWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The shortest time between two empty long polls (protects against servers that ignore <c>wait</c>).</summary>
    public TimeSpan MinPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// Reads one public schema's events from the sync service that publishes it (<c>GET /read</c>), resolving its
/// address on every request. Pages are whole source transactions, so the next read continues after the last one.
/// </summary>
/// <remarks>
/// With a <c>consumer</c> (<c>manifest-slug/consumer-name</c>), requests carry <c>consumer=</c>, so the service also
/// returns the events stored for that consumer only (a backfill requested for it); the original ReJot's service
/// ignores the parameter.
/// </remarks>
internal sealed class RemoteEventReader(HttpClient http, ISyncServiceResolver resolver, PublicSchemaKey schema, RemoteEventReaderOptions options, string? consumer = null) : IEventSource
{
    private readonly Lock _gate = new();
    private (EventPosition After, IReadOnlyList<StoredEvent> Events)? _prefetched;
    private EventPosition? _lastEnd;

    public PublicSchemaKey Schema => schema;

    /// <summary>
    /// One <c>/read</c> request for this schema: transactions after <paramref name="afterCommitLsn"/> (null: from the
    /// beginning), at least <paramref name="limit"/> events when there are that many, waiting up to
    /// <paramref name="wait"/> on the server when there are none.
    /// </summary>
    public async Task<IReadOnlyList<EventTransaction>> ReadTransactionsAsync(long? afterCommitLsn, int limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        Uri baseUri;
        try
        {
            baseUri = resolver.Resolve(schema.ManifestSlug);
        }
        catch (SyncServiceResolutionException ex)
        {
            throw new RemoteSyncServiceException(RemoteReadFailure.Unresolved, schema.ManifestSlug, null, ex.Message, inner: ex);
        }

        var uri = new Uri(baseUri, "read?" + BuildQuery(afterCommitLsn, limit, wait));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout + wait);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Failed(response.StatusCode, body, uri);
            }

            return Parse(body, uri);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RemoteSyncServiceException(RemoteReadFailure.Timeout, schema.ManifestSlug, uri,
                $"The sync service of '{schema.ManifestSlug}' at {baseUri} did not answer within {(options.RequestTimeout + wait).TotalSeconds:0.#} s.", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RemoteSyncServiceException(RemoteReadFailure.Unreachable, schema.ManifestSlug, uri,
                $"The sync service of '{schema.ManifestSlug}' at {baseUri} is unreachable: {ex.Message}", inner: ex);
        }
    }

    /// <summary>
    /// The commit LSN of the newest transaction the service holds for this schema (0: none), found by reading pages to
    /// the end (once, for a consumer that starts at the end of the stream: the original protocol has no tail route).
    /// </summary>
    public async Task<long> TailAsync(CancellationToken cancellationToken)
    {
        long tail = 0;
        while (true)
        {
            var page = await ReadTransactionsAsync(tail == 0 ? null : tail, ReadQuery.MaxLimit, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return tail;
            }

            tail = page[^1].CommitLsn;
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(PublicSchemaKey publicSchema, EventPosition after, int limit, CancellationToken cancellationToken)
    {
        CheckSchema(publicSchema);
        lock (_gate)
        {
            if (_prefetched is { } page && page.After == after)
            {
                _prefetched = null;
                return page.Events;
            }
        }

        return await ReadAfterAsync(after, limit, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public async Task WaitForEventsAsync(PublicSchemaKey publicSchema, EventPosition after, CancellationToken cancellationToken)
    {
        CheckSchema(publicSchema);
        lock (_gate)
        {
            if (_prefetched is { } page && page.After == after)
            {
                return;
            }
        }

        var started = DateTime.UtcNow;
        var events = await ReadAfterAsync(after, ReadQuery.MaxLimit, options.LongPollWait, cancellationToken).ConfigureAwait(false);
        if (events.Count > 0)
        {
            lock (_gate)
            {
                _prefetched = (after, events);
            }

            return;
        }

        var elapsed = DateTime.UtcNow - started;
        if (elapsed < options.MinPollInterval)
        {
            await Task.Delay(options.MinPollInterval - elapsed, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(EventPosition after, int limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        // Pages end on transaction boundaries; only a position inside a transaction needs that transaction again.
        bool atBoundary;
        lock (_gate)
        {
            atBoundary = after.Index == int.MaxValue || after == _lastEnd;
        }

        long? cursor = atBoundary ? after.CommitLsn : after.CommitLsn - 1;
        var transactions = await ReadTransactionsAsync(cursor <= 0 ? null : cursor, Math.Clamp(limit, 1, ReadQuery.MaxLimit), wait, cancellationToken).ConfigureAwait(false);
        var events = transactions.SelectMany(t => t.Events).Where(e => e.Position.CompareTo(after) > 0).ToArray();
        if (events.Length > 0)
        {
            lock (_gate)
            {
                _lastEnd = events[^1].Position;
            }
        }

        return events;
    }

    private void CheckSchema(PublicSchemaKey requested)
    {
        if (requested != schema)
        {
            throw new ArgumentException($"This reader serves {schema}, not {requested}.", nameof(requested));
        }
    }

    private string BuildQuery(long? afterCommitLsn, int limit, TimeSpan wait)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            SyncHttpJson.WriteCursor(writer, schema, afterCommitLsn);
            writer.WriteEndArray();
        }

        var query = new StringBuilder("cursors=").Append(Uri.EscapeDataString(Encoding.UTF8.GetString(buffer.WrittenSpan)))
            .Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (consumer is not null)
        {
            query.Append("&consumer=").Append(Uri.EscapeDataString(consumer));
        }

        if (wait > TimeSpan.Zero)
        {
            query.Append("&wait=").Append(((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        return query.ToString();
    }

    private RemoteSyncServiceException Failed(HttpStatusCode status, byte[] body, Uri uri)
    {
        var code = (int)status;
        var message = ServerMessage(body);
        var (failure, text) = code switch
        {
            401 or 403 => (RemoteReadFailure.Unauthorized, $"The sync service of '{schema.ManifestSlug}' refused the request ({code}): {message} Set ReJot:Http:ClientToken (or ReJot:Http:ClientTokens:{schema.ManifestSlug}) to a token it accepts."),
            400 => (RemoteReadFailure.BadRequest, $"The sync service of '{schema.ManifestSlug}' rejected the read of {schema}: {message}"),
            >= 500 => (RemoteReadFailure.ServerError, $"The sync service of '{schema.ManifestSlug}' failed ({code}): {message}"),
            _ => (RemoteReadFailure.InvalidResponse, $"The sync service of '{schema.ManifestSlug}' answered {code} to {uri.GetLeftPart(UriPartial.Path)}: {message}"),
        };
        return new RemoteSyncServiceException(failure, schema.ManifestSlug, uri, text, code);
    }

    private static string ServerMessage(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        var text = Encoding.UTF8.GetString(body);
        return text.Length > 300 ? text[..300] : text;
    }

    private IReadOnlyList<EventTransaction> Parse(byte[] body, Uri uri)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("expected a JSON array of transactions");
            }

            var result = new List<EventTransaction>();
            foreach (var transaction in document.RootElement.EnumerateArray())
            {
                var id = transaction.GetProperty("transactionId").GetString();
                if (!TransactionIds.TryParse(id, out var commitLsn))
                {
                    throw new JsonException($"transactionId '{id}' is not a transaction id");
                }

                var events = new List<StoredEvent>();
                foreach (var operation in transaction.GetProperty("operations").EnumerateArray())
                {
                    var publicSchema = operation.GetProperty("sourcePublicSchema");
                    var version = publicSchema.GetProperty("version");
                    var key = new PublicSchemaKey(operation.GetProperty("sourceManifestSlug").GetString()!, publicSchema.GetProperty("name").GetString()!, version.GetProperty("major").GetInt32());
                    if (key != schema)
                    {
                        continue;
                    }

                    var type = operation.GetProperty("type").GetString();
                    var kind = type switch
                    {
                        "insert" => EventOperation.Insert,
                        "update" => EventOperation.Update,
                        "delete" => EventOperation.Delete,
                        _ => throw new JsonException($"unknown operation type '{type}'"),
                    };
                    var payload = kind == EventOperation.Delete && operation.TryGetProperty("objectKeys", out var keys) ? keys : operation.GetProperty("object");
                    var minor = version.TryGetProperty("minor", out var minorElement) ? minorElement.GetInt32() : 0;
                    events.Add(new StoredEvent(key, minor, commitLsn, events.Count, kind, payload.GetRawText()));
                }

                if (events.Count > 0)
                {
                    result.Add(new EventTransaction(commitLsn, events));
                }
            }

            return result;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RemoteSyncServiceException(RemoteReadFailure.InvalidResponse, schema.ManifestSlug, uri,
                $"The sync service of '{schema.ManifestSlug}' sent an answer that is not a ReJot /read response: {ex.Message}", inner: ex);
        }
    }
}

/// <summary>Creates <see cref="RemoteEventReader"/>s for schemas whose manifest the resolver knows.</summary>
internal sealed class RemoteEventSourceFactory(HttpClient http, ISyncServiceResolver resolver, ReJotHttpOptions httpOptions, RemoteEventReaderOptions? readerOptions = null)
    : IRemoteEventSourceFactory
{
    /// <summary>A client suited to long polls: no overall timeout (each request has its own), DNS refreshed every 2 minutes.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public IEventSource? TryCreate(PublicSchemaKey schema, string? consumer = null)
    {
        if (resolver.TryResolve(schema.ManifestSlug) is null)
        {
            return null;
        }

        var options = (readerOptions ?? new RemoteEventReaderOptions()) with { Token = httpOptions.ClientTokenFor(schema.ManifestSlug) };
        return new RemoteEventReader(http, resolver, schema, options, consumer);
    }
}
