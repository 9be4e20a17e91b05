using System.Diagnostics;
using Npgsql;

namespace ReJot.Benchmarks;

/// <summary>What carries rows from a source database to a sink database: ReJot's engine, or native logical replication.</summary>
internal abstract class Replicator : IAsyncDisposable
{
    protected Replicator(NpgsqlDataSource source, NpgsqlDataSource sink)
    {
        Source = source;
        Sink = sink;
    }

    public NpgsqlDataSource Source { get; }

    public NpgsqlDataSource Sink { get; }

    /// <summary>Peak memory of the replicating process (MiB), when measured.</summary>
    public double? PeakMemoryMiB { get; protected set; }

    /// <summary>The clusters (for CPU accounting).</summary>
    public Harness? Clusters { get; init; }

    /// <summary>CPU seconds used so far by a replicating process outside PostgreSQL (ReJot's engine), or 0.</summary>
    public virtual double? ProcessCpuSeconds() => 0;

    /// <summary>CPU seconds used so far: by both clusters' processes, and by the replicating process outside them.</summary>
    public (double? Postgres, double? Process) Cpu()
        => (Clusters is { } h ? CpuMeter.ClusterSeconds(h.A.ClusterDirectory, h.B.ClusterDirectory) : null, ProcessCpuSeconds());

    /// <summary>Events stored so far (ReJot's event store), or null where there is no such stage.</summary>
    public virtual Task<long?> StoredAsync() => Task.FromResult<long?>(null);

    /// <summary>Starts replicating; returns once changes committed from now on will be carried.</summary>
    public abstract Task StartAsync(Stopwatch clock);

    /// <summary>Stops replicating (changes are retained by the slot).</summary>
    public abstract Task StopAsync();

    /// <summary>Starts again after <see cref="StopAsync"/>; returns the clock time at which catch-up began.</summary>
    public abstract Task<TimeSpan> ResumeAsync(Stopwatch clock);

    public virtual async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Sink.DisposeAsync();
    }
}

/// <summary>
/// ReJot's engine in a child process (see <see cref="EngineProcess"/>); event store in the source database, or in a
/// database of its own in the source cluster (logical decoding then skips its WAL early).
/// </summary>
internal sealed class ReJotReplicator(NpgsqlDataSource source, string sourceConnection, NpgsqlDataSource sink, string sinkConnection, string slot, NpgsqlDataSource? events, string? eventsConnection)
    : Replicator(source, sink)
{
    private EngineProcess? _engine;

    // CPU seconds of engine processes already stopped (the backlog scenario restarts the engine).
    private double _stoppedEnginesCpu;

    public string? LastFault => _engine?.LastFault;

    public override double? ProcessCpuSeconds() => _engine is null ? _stoppedEnginesCpu : _engine.CpuSeconds() is { } current ? _stoppedEnginesCpu + current : null;

    public static async Task<ReJotReplicator> CreateAsync(Harness harness, string scenario, bool separateSink, bool separateEventStore = false)
    {
        var sourceConnection = await harness.A.CreateDatabaseAsync($"rj_{scenario}");
        var eventsConnection = separateEventStore ? await harness.A.CreateDatabaseAsync($"rj_{scenario}_events") : null;
        var sinkConnection = await (separateSink ? harness.B : harness.A).CreateDatabaseAsync($"rj_{scenario}_sink");
        var source = NpgsqlDataSource.Create(sourceConnection);
        var sink = NpgsqlDataSource.Create(sinkConnection);
        await Harness.ExecuteAsync(source, BenchModel.SourceDdl);
        await Harness.ExecuteAsync(sink, BenchModel.SinkDdl);
        return new ReJotReplicator(source, sourceConnection, sink, sinkConnection, $"rejot_bench_{scenario}",
            eventsConnection is null ? null : NpgsqlDataSource.Create(eventsConnection), eventsConnection)
        { Clusters = harness };
    }

    // Events counted so far and the last one counted: each poll counts only newer events (an index range scan), so
    // polling every 50 ms does not rescan the whole store and compete with the engine for the CPU.
    private long _stored;
    private long _storedLsn = -1;
    private int _storedIndex = -1;

    public override async Task<long?> StoredAsync()
    {
        var store = events ?? Source;
        if (await Harness.ScalarAsync<bool>(store, "SELECT to_regclass('rejot_events.events') IS NULL"))
        {
            return 0;
        }

        await using var command = store.CreateCommand(
            """
            SELECT count(*), max(commit_lsn), (array_agg(idx ORDER BY commit_lsn DESC, idx DESC))[1] FROM rejot_events.events
            WHERE manifest_slug = $1 AND schema_name = $2 AND schema_major = $3 AND (commit_lsn, idx) > ($4, $5)
            """);
        command.Parameters.AddWithValue(BenchModel.Key.ManifestSlug);
        command.Parameters.AddWithValue(BenchModel.Key.Name);
        command.Parameters.AddWithValue(BenchModel.Key.Major);
        command.Parameters.AddWithValue(_storedLsn);
        command.Parameters.AddWithValue(_storedIndex);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var count = reader.GetInt64(0);
        if (count > 0)
        {
            _stored += count;
            _storedLsn = reader.GetInt64(1);
            _storedIndex = reader.GetInt32(2);
        }

        return _stored;
    }

    public override async Task StartAsync(Stopwatch clock) => _engine = await EngineProcess.StartAsync(sourceConnection, sinkConnection, slot, eventsConnection, clock);

    public override async Task StopAsync()
    {
        if (_engine is null)
        {
            return;
        }

        PeakMemoryMiB = Math.Max(PeakMemoryMiB ?? 0, _engine.PeakMemoryMiB() ?? 0);
        _stoppedEnginesCpu += _engine.CpuSeconds() ?? 0;
        await _engine.StopAsync();
        await _engine.DisposeAsync();
        _engine = null;
    }

    public override async Task<TimeSpan> ResumeAsync(Stopwatch clock)
    {
        await StartAsync(clock);
        return await _engine!.Starting;
    }

    public override async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Harness.DropSlotAsync(Source, slot);
        if (events is not null)
        {
            await events.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>CREATE PUBLICATION on cluster A, CREATE SUBSCRIPTION on cluster B.</summary>
internal sealed class NativeReplicator(Harness harness, NpgsqlDataSource source, string sourceDatabase, NpgsqlDataSource sink, string name, bool asyncCommit) : Replicator(source, sink)
{
    private bool _subscribed;

    public static async Task<NativeReplicator> CreateAsync(Harness harness, string scenario, bool asyncCommit)
    {
        var sourceConnection = await harness.A.CreateDatabaseAsync($"nat_{scenario}");
        var sinkConnection = await harness.B.CreateDatabaseAsync($"nat_{scenario}");
        var source = NpgsqlDataSource.Create(sourceConnection);
        var sink = NpgsqlDataSource.Create(sinkConnection);
        await Harness.ExecuteAsync(source, BenchModel.SourceDdl);
        await Harness.ExecuteAsync(sink, BenchModel.SinkDdl);
        return new NativeReplicator(harness, source, new NpgsqlConnectionStringBuilder(sourceConnection).Database!, sink, $"native_{scenario}", asyncCommit) { Clusters = harness };
    }

    public override async Task StartAsync(Stopwatch clock)
    {
        await harness.SubscribeAsync(Source, sourceDatabase, Sink, name, asyncCommit);
        _subscribed = true;
    }

    public override Task StopAsync() => Harness.DisableSubscriptionAsync(Source, Sink, name);

    public override async Task<TimeSpan> ResumeAsync(Stopwatch clock)
    {
        var started = clock.Elapsed;
        await Harness.ExecuteAsync(Sink, $"ALTER SUBSCRIPTION {name} ENABLE");
        return started;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_subscribed)
        {
            await Harness.DropSubscriptionAsync(Sink, name);
        }

        await base.DisposeAsync();
    }
}
