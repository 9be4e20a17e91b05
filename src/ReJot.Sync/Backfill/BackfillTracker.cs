using System.Text.Json.Nodes;
using ReJot.Sync.EventStore;
using ReJot.Sync.Model;

namespace ReJot.Sync.Backfill;

/// <summary>What became of a chunk once the reader handled it.</summary>
/// <param name="Emitted">Events stored for the chunk (chunk rows minus those superseded by live changes).</param>
/// <param name="Error">Why the backfill failed at this chunk (e.g. an object that does not match the contract), or null.</param>
internal sealed record ChunkOutcome(int Emitted, string? Error);

/// <summary>
/// The reader's side of the watermark scheme, one per source and engine run. While a backfill of a public schema is
/// watched, every event the live stream produces for that schema records its contract key with the source
/// transaction id. When a chunk's message (its high watermark) is reached in commit order, the chunk's objects whose
/// key was changed by a transaction the chunk's snapshot did not see are dropped: the live event already carries a
/// newer state (or the delete), and the chunk's older value must not follow it.
/// </summary>
/// <remarks>
/// Entries outlive reader restarts (the reader replays from the stored position, and a replayed chunk must still see
/// them); an entry is dropped once a stored chunk's snapshot saw its transaction as finished before its xmin, because
/// every later snapshot sees it too. Chunk messages of an earlier engine run (another <see cref="Session"/>) are
/// ignored, and so are those of an earlier attempt of the same backfill in this run (see <see cref="Start"/>): their
/// watch state is gone or had a gap, so the resumed backfill reads them again from the stored progress.
/// </remarks>
internal sealed class BackfillTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<PublicSchemaKey, Watch> _watches = [];
    private readonly Dictionary<long, (PublicSchemaKey Schema, string Run)> _schemaOf = [];
    private readonly Dictionary<string, long> _failedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<(long Id, long Sequence), TaskCompletionSource<ChunkOutcome>> _waiters = [];
    private volatile int _watchCount;

    /// <summary>Identifies this engine run (the prefix of run tokens).</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    /// <summary>
    /// Starts recording live changes of <paramref name="schema"/> for backfill <paramref name="backfillId"/>. Returns the
    /// run's token: only chunks carrying it are accepted, so chunks of an earlier attempt (whose watch had a gap) are
    /// ignored and read again.
    /// </summary>
    public string Start(long backfillId, PublicSchemaModel schema)
    {
        if (schema.Keys.Count == 0)
        {
            throw new SyncConfigurationException(
                $"Public schema {schema.Key} declares no keys, so a backfill cannot tell which rows live changes superseded. Declare the contract's key fields.");
        }

        lock (_gate)
        {
            if (!_watches.TryGetValue(schema.Key, out var watch))
            {
                _watches[schema.Key] = watch = new Watch(schema.Keys);
                _watchCount = _watches.Count;
            }

            watch.Backfills.Add(backfillId);
            var run = Session + "-" + Guid.NewGuid().ToString("N");
            _schemaOf[backfillId] = (schema.Key, run);
            return run;
        }
    }

    /// <summary>Stops watching for a backfill; its pending waiters are cancelled.</summary>
    public void Stop(long backfillId, PublicSchemaKey schema)
    {
        lock (_gate)
        {
            _schemaOf.Remove(backfillId);
            if (_watches.TryGetValue(schema, out var watch) && watch.Backfills.Remove(backfillId))
            {
                watch.StoredXmin.Remove(backfillId);
                if (watch.Backfills.Count == 0)
                {
                    _watches.Remove(schema);
                    _watchCount = _watches.Count;
                }
            }

            foreach (var key in _waiters.Keys.Where(k => k.Id == backfillId).ToList())
            {
                _waiters.Remove(key, out var waiter);
                waiter!.TrySetCanceled();
            }
        }
    }

    /// <summary>Whether any schema is watched (a cheap check for the hot path).</summary>
    public bool Active => _watchCount > 0;

    /// <summary>Records that source transaction <paramref name="xid"/> produced an event of <paramref name="schema"/> with this object (or key object).</summary>
    public void Observe(PublicSchemaKey schema, string objectJson, uint xid)
    {
        if (_watchCount == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (!_watches.TryGetValue(schema, out var watch))
            {
                return;
            }

            var key = KeyOf(watch.Keys, objectJson);
            if (key is null)
            {
                return;
            }

            if (!watch.Changed.TryGetValue(key, out var xids))
            {
                watch.Changed[key] = xids = new List<uint>(1);
            }

            if (!xids.Contains(xid))
            {
                xids.Add(xid);
            }
        }
    }

    /// <summary>
    /// The objects of a chunk that no live change superseded, or null when the chunk does not belong to a backfill
    /// watched in this run (ignored: it will be read again).
    /// </summary>
    public (PublicSchemaKey Schema, IReadOnlyList<string> Objects)? Accept(BackfillChunk chunk)
    {
        var snapshot = XidSnapshot.Parse(chunk.Snapshot);
        lock (_gate)
        {
            if (!_schemaOf.TryGetValue(chunk.BackfillId, out var run) || run.Run != chunk.Session || !_watches.TryGetValue(run.Schema, out var watch)
                || (_failedAt.TryGetValue(run.Run, out var failed) && chunk.Sequence > failed))
            {
                return null;
            }

            var schema = run.Schema;

            var kept = new List<string>(chunk.Objects.Count);
            foreach (var json in chunk.Objects)
            {
                var key = KeyOf(watch.Keys, json);
                if (key is not null && watch.Changed.TryGetValue(key, out var xids) && xids.Exists(x => !snapshot.IsVisible(x)))
                {
                    continue;
                }

                kept.Add(json);
            }

            return (schema, kept);
        }
    }

    /// <summary>
    /// A chunk failed (its objects do not match the contract): later chunks of the same run, already in the WAL, are
    /// not stored. The failing chunk itself is accepted again if it is replayed, so its failure is stored.
    /// </summary>
    public void Fail(BackfillChunk chunk)
    {
        lock (_gate)
        {
            _failedAt[chunk.Session] = _failedAt.TryGetValue(chunk.Session, out var earlier) ? Math.Min(earlier, chunk.Sequence) : chunk.Sequence;
        }
    }

    /// <summary>Called after the store transaction holding these chunks committed.</summary>
    public void Stored(IEnumerable<(PublicSchemaKey Schema, BackfillChunk Chunk, ChunkOutcome Outcome)> chunks)
    {
        lock (_gate)
        {
            foreach (var (schema, chunk, outcome) in chunks)
            {
                if (_watches.TryGetValue(schema, out var watch) && watch.Backfills.Contains(chunk.BackfillId))
                {
                    watch.StoredXmin[chunk.BackfillId] = XidSnapshot.Parse(chunk.Snapshot).Xmin;
                    Forget(watch);
                }

                if (_waiters.Remove((chunk.BackfillId, chunk.Sequence), out var waiter))
                {
                    waiter.TrySetResult(outcome);
                }
            }
        }
    }

    /// <summary>
    /// Forgets the changes every later chunk's snapshot will see. Transactions finished before a stored chunk's xmin
    /// are visible to every later snapshot of that backfill (its next chunk is read after this one is stored). Several
    /// backfills of one schema (for every consumer, for one consumer) interleave, and another one's chunk in flight may
    /// hold an older snapshot: so only what every watching backfill's last stored chunk saw is forgotten, and nothing
    /// while one of them has no chunk stored in this run yet.
    /// </summary>
    private static void Forget(Watch watch)
    {
        var horizon = watch.Backfills.Min(b => watch.StoredXmin.GetValueOrDefault(b));
        if (horizon == 0)
        {
            return;
        }

        List<string>? empty = null;
        foreach (var (key, xids) in watch.Changed)
        {
            xids.RemoveAll(x => XidSnapshot.IsBefore(x, horizon));
            if (xids.Count == 0)
            {
                (empty ??= []).Add(key);
            }
        }

        foreach (var key in empty ?? [])
        {
            watch.Changed.Remove(key);
        }
    }

    /// <summary>Completes when the chunk's events and progress are stored.</summary>
    public Task<ChunkOutcome> WhenStoredAsync(long backfillId, long sequence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_waiters.TryGetValue((backfillId, sequence), out var waiter))
            {
                _waiters[(backfillId, sequence)] = waiter = new TaskCompletionSource<ChunkOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Number of keys remembered for a schema (for tests and status).</summary>
    public int TrackedKeys(PublicSchemaKey schema)
    {
        lock (_gate)
        {
            return _watches.TryGetValue(schema, out var watch) ? watch.Changed.Count : 0;
        }
    }

    /// <summary>The contract key of an object as canonical JSON (an array of the key values), or null.</summary>
    internal static string? KeyOf(IReadOnlyList<string> keys, string objectJson)
    {
        if (JsonNode.Parse(objectJson) is not JsonObject node)
        {
            return null;
        }

        var result = new JsonArray();
        foreach (var key in keys)
        {
            result.Add(node.TryGetPropertyValue(key, out var value) ? value?.DeepClone() : null);
        }

        return result.ToJsonString();
    }

    private sealed class Watch(IReadOnlyList<string> keys)
    {
        public IReadOnlyList<string> Keys { get; } = keys;

        public HashSet<long> Backfills { get; } = [];

        public Dictionary<string, List<uint>> Changed { get; } = new(StringComparer.Ordinal);

        /// <summary>Per watching backfill, the xmin of its last chunk stored in this run.</summary>
        public Dictionary<long, long> StoredXmin { get; } = [];
    }
}
