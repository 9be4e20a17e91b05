using System.Globalization;
using Npgsql;
using ReJot.Manifest;
using ReJot.Sync.Backfill;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Cli.Commands.Backfill;

/// <summary>
/// Requests a backfill by writing it to the event store's <c>rejot_events.backfills</c> table (with a NOTIFY), where the
/// running sync engine picks it up, and follows its stored progress. The engine must do the reading: dropping rows
/// that live changes superseded needs the changes its replication slot decodes, and only one reader may hold the slot.
/// </summary>
internal sealed class BackfillAction(CliContext context)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public async Task<int> RunAsync(BackfillSettings settings, CancellationToken cancellationToken)
    {
        var manifests = new List<ManifestDocument>();
        foreach (var argument in settings.Manifests)
        {
            var path = context.ResolvePath(argument);
            if (!File.Exists(path))
            {
                throw new CliException($"Manifest '{argument}' not found (looked for {path}). Pass --manifest <path>.");
            }

            var workspace = await ManifestWorkspace.LoadAsync(path, cancellationToken).ConfigureAwait(false);
            manifests.AddRange(workspace.Manifests.Select(m => m.Manifest));
        }

        SyncModel model;
        PublicSchemaModel schema;
        string? forConsumer = null;
        try
        {
            model = SyncModelBuilder.Build(manifests, new ReJotSyncOptions { UseGeneratedManifests = false },
                slug => context.GetEnvironmentVariable($"ConnectionStrings__{slug}"), context.GetEnvironmentVariable);
            if (settings.List)
            {
                return await ListAsync(model, cancellationToken).ConfigureAwait(false);
            }

            var key = BackfillCoordinator.Resolve(model.PublicSchemas, settings.PublicSchema
                ?? throw new CliException("Name the public schema to backfill (rejot backfill <public-schema>), or pass --list to list backfills."));
            schema = model.PublicSchemas.First(p => p.Key == key);
            if (settings.Filter is { } filter && BackfillRunner.ValidateFilter(filter) is { } problem)
            {
                throw new CliException($"--filter is not a usable SQL condition: {problem}");
            }

            if (settings.ForConsumer is { } consumer)
            {
                forConsumer = BackfillCoordinator.ResolveConsumer(model.Consumers, key, consumer, settings.RemoteConsumer);
            }
            else if (settings.RemoteConsumer)
            {
                throw new CliException("--remote-consumer goes with --for-consumer <manifest-slug/consumer-name>.");
            }
        }
        catch (SyncConfigurationException e)
        {
            throw new CliException(e.Message);
        }

        var eventStoreSlug = model.EventStoreSlug ?? schema.SourceSlug;
        string connectionString;
        try
        {
            connectionString = model.GetConnectionString(eventStoreSlug);
        }
        catch (SyncConfigurationException e)
        {
            throw new CliException(e.Message);
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new BackfillStore(dataSource);
        BackfillRecord record;
        bool created;
        try
        {
            (record, created) = await store.RequestAsync(schema.Key, string.IsNullOrWhiteSpace(settings.Filter) ? null : settings.Filter, forConsumer,
                $"rejot backfill ({Environment.UserName}@{Environment.MachineName})", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is "42P01" or "3F000")
        {
            throw new CliException($"The event store '{eventStoreSlug}' has no backfills table yet: start the sync engine (rejot manifest sync) once so it migrates the store, then run this again.");
        }
        catch (NpgsqlException e)
        {
            throw new CliException($"Cannot reach the event store '{eventStoreSlug}': {e.Message}");
        }

        var name = $"{schema.Key.ManifestSlug}/{schema.Key.Name}@{schema.Key.Major}{(forConsumer is null ? string.Empty : $" for {forConsumer} only")}";
        await context.Output.WriteLineAsync(created
            ? $"Backfill {record.Id} of {name} requested{(record.Filter is null ? string.Empty : $" (filter: {record.Filter})")}."
            : $"Backfill {record.Id} of {name} is already {record.Status}; following it.").ConfigureAwait(false);
        if (settings.NoWait)
        {
            return ExitCodes.Success;
        }

        var progress = new ProgressWriter(context.Output, interactive: ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected);
        var requestedSince = DateTimeOffset.UtcNow;
        var hinted = false;
        try
        {
            while (true)
            {
                var current = await store.GetAsync(record.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new CliException($"Backfill {record.Id} disappeared from the event store.");
                var info = BackfillInfo.From(current);
                switch (info.State)
                {
                    case BackfillState.Completed:
                        await progress.FinishAsync(info).ConfigureAwait(false);
                        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"Backfill {info.Id} completed: {info.RowsRead:N0} row(s) read, {info.EventsStored:N0} event(s) stored{(info.RowsPerSecond is { } rate ? $", {rate:N0} rows/s" : string.Empty)}.")).ConfigureAwait(false);
                        return ExitCodes.Success;
                    case BackfillState.Failed or BackfillState.Cancelled:
                        await progress.FinishAsync(info).ConfigureAwait(false);
                        throw new CliException($"Backfill {info.Id} {info.State.ToString().ToLowerInvariant()}{(info.Error is null ? "." : $": {info.Error}")}");
                    case BackfillState.Requested when !hinted && DateTimeOffset.UtcNow - requestedSince > TimeSpan.FromSeconds(10):
                        hinted = true;
                        await progress.LineAsync($"Waiting for a running sync engine that reads {name} to pick it up (rejot manifest sync, or a host with AddReJotSync).").ConfigureAwait(false);
                        break;
                    case BackfillState.Running:
                        await progress.UpdateAsync(info).ConfigureAwait(false);
                        break;
                }

                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await progress.LineAsync($"Stopped following; backfill {record.Id} continues in the sync engine.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }

    private async Task<int> ListAsync(SyncModel model, CancellationToken cancellationToken)
    {
        var eventStoreSlug = model.EventStoreSlug ?? model.Sources.FirstOrDefault()?.Slug
            ?? throw new CliException("The manifests declare no event store and no source data store, so there are no backfills to list.");
        await using var dataSource = NpgsqlDataSource.Create(model.GetConnectionString(eventStoreSlug));
        IReadOnlyList<BackfillRecord> records;
        try
        {
            records = await new BackfillStore(dataSource).RecentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is "42P01" or "3F000")
        {
            throw new CliException($"The event store '{eventStoreSlug}' has no backfills table yet: no sync engine has run against it.");
        }
        catch (NpgsqlException e)
        {
            throw new CliException($"Cannot reach the event store '{eventStoreSlug}': {e.Message}");
        }

        if (records.Count == 0)
        {
            await context.Output.WriteLineAsync("No backfill is requested or running, and none ended within a day.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        foreach (var info in records.Select(BackfillInfo.From))
        {
            await context.Output.WriteLineAsync(Describe(info)).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>One line per backfill: id, schema, target, state, progress, rate, ETA, error.</summary>
    internal static string Describe(BackfillInfo info)
    {
        var line = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        line.Append(c, $"{info.Id,4}  {info.ManifestSlug}/{info.PublicSchema}@{info.Major}");
        if (info.ForConsumer is not null)
        {
            line.Append(c, $" for {info.ForConsumer}");
        }

        line.Append(c, $"  {info.State.ToString().ToLowerInvariant()}  {info.RowsRead:N0} / ~{Math.Max(info.EstimatedRows, info.RowsRead):N0} rows, {info.EventsStored:N0} events");
        if (info.RowsPerSecond is { } rate)
        {
            line.Append(c, $", {rate:N0} rows/s");
        }

        if (info.EstimatedRemaining is { } eta)
        {
            line.Append(c, $", ETA {eta:hh\\:mm\\:ss}");
        }

        if (info.Filter is not null)
        {
            line.Append(c, $", filter: {info.Filter}");
        }

        if (info.Error is not null)
        {
            line.Append(c, $", error: {info.Error}");
        }

        return line.ToString();
    }

    /// <summary>A redrawn progress bar on a terminal; otherwise a plain line when progress changed, at most every 5 seconds.</summary>
    private sealed class ProgressWriter(TextWriter output, bool interactive)
    {
        private long _lastRows = -1;
        private DateTimeOffset _lastLine;
        private bool _barShown;

        public async Task UpdateAsync(BackfillInfo info)
        {
            if (info.RowsRead == _lastRows)
            {
                return;
            }

            if (interactive)
            {
                _lastRows = info.RowsRead;
                await output.WriteAsync("\r" + Bar(info)).ConfigureAwait(false);
                _barShown = true;
            }
            else if (DateTimeOffset.UtcNow - _lastLine >= TimeSpan.FromSeconds(5))
            {
                _lastRows = info.RowsRead;
                _lastLine = DateTimeOffset.UtcNow;
                await output.WriteLineAsync(Text(info)).ConfigureAwait(false);
            }
        }

        public async Task FinishAsync(BackfillInfo info)
        {
            if (interactive && _barShown)
            {
                await output.WriteLineAsync("\r" + Bar(info)).ConfigureAwait(false);
                _barShown = false;
            }
        }

        public async Task LineAsync(string line)
        {
            if (_barShown)
            {
                await output.WriteLineAsync().ConfigureAwait(false);
                _barShown = false;
            }

            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        internal static string Text(BackfillInfo info)
            => string.Create(CultureInfo.InvariantCulture,
                $"backfill {info.Id}: {info.RowsRead:N0} / ~{Math.Max(info.EstimatedRows, info.RowsRead):N0} rows ({Percent(info):0}%){Rate(info)}");

        private static string Bar(BackfillInfo info)
        {
            const int Width = 30;
            var filled = (int)Math.Round(Percent(info) / 100 * Width);
            return string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', Width - filled)}] {Percent(info),3:0}% {info.RowsRead:N0} / ~{Math.Max(info.EstimatedRows, info.RowsRead):N0} rows{Rate(info)}   ");
        }

        private static double Percent(BackfillInfo info)
            => info.State == BackfillState.Completed ? 100 : info.EstimatedRows <= 0 ? 0 : Math.Min(99, 100.0 * info.RowsRead / info.EstimatedRows);

        private static string Rate(BackfillInfo info)
            => info.RowsPerSecond is { } rate
                ? string.Create(CultureInfo.InvariantCulture, $", {rate:N0} rows/s{(info.EstimatedRemaining is { } eta ? $", ETA {eta:hh\\:mm\\:ss}" : string.Empty)}")
                : string.Empty;
    }
}
