using Npgsql;
using ReJot.Manifest;
using ReJot.Sync.EventStore;
using ReJot.Sync.Hosting;
using ReJot.Sync.Model;

namespace ReJot.Cli.Commands.ResetSource;

/// <summary>
/// Forgets a source's stored position and drops its slot (re-created, advanced, invalidated or stuck: its content
/// is not trusted any more), so the engine, which refuses to continue over a gap on its own, starts again from a
/// new slot at the current position. What lay in
/// between is not recoverable from the WAL; the output names the backfills that bring consumers up to date.
/// </summary>
internal sealed class ResetSourceAction(CliContext context)
{
    public async Task<int> RunAsync(string dataStore, IReadOnlyList<string> manifestPaths, bool accept, CancellationToken cancellationToken)
    {
        var manifests = new List<ManifestDocument>();
        foreach (var argument in manifestPaths)
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
        SourceDataStore source;
        string eventStoreSlug;
        string eventStoreConnection, sourceConnection;
        try
        {
            model = SyncModelBuilder.Build(manifests, new ReJotSyncOptions { UseGeneratedManifests = false },
                slug => context.GetEnvironmentVariable($"ConnectionStrings__{slug}"), context.GetEnvironmentVariable);
            source = model.Sources.FirstOrDefault(s => s.Slug == dataStore)
                ?? throw new CliException($"'{dataStore}' is not a source data store of these manifests (sources: {(model.Sources.Count == 0 ? "none" : string.Join(", ", model.Sources.Select(s => s.Slug)))}).");
            eventStoreSlug = model.EventStoreSlug ?? model.Sources[0].Slug;
            eventStoreConnection = model.GetConnectionString(eventStoreSlug);
            sourceConnection = model.GetConnectionString(source.Slug);
        }
        catch (SyncConfigurationException e)
        {
            throw new CliException(e.Message);
        }

        var schemas = model.PublicSchemas.Where(p => p.SourceSlug == source.Slug).Select(p => $"{p.Key.ManifestSlug}/{p.Key.Name}@{p.Key.Major}").ToList();
        if (!accept)
        {
            throw new CliException(
                $"This gives up the changes of '{source.Slug}' that its slot '{source.SlotName}' no longer holds. Run again with --accept-data-loss, then backfill {(schemas.Count == 0 ? "its public schemas" : string.Join(", ", schemas))}.");
        }

        var droppedSlot = false;
        await using (var sourceDb = NpgsqlDataSource.Create(sourceConnection))
        {
            try
            {
                await using var command = sourceDb.CreateCommand(
                    "SELECT active, CASE WHEN NOT active THEN pg_drop_replication_slot(slot_name) IS NULL END FROM pg_replication_slots WHERE slot_name = $1");
                command.Parameters.Add(new NpgsqlParameter { Value = source.SlotName });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.GetBoolean(0))
                    {
                        throw new CliException(
                            $"Slot '{source.SlotName}' is being read right now, so nothing was changed. If the engine keeps failing on it (e.g. its publication was dropped), stop the engine and run this again.");
                    }

                    droppedSlot = true;
                }
            }
            catch (NpgsqlException e)
            {
                throw new CliException($"Cannot reach the source data store '{source.Slug}': {e.Message}");
            }
        }

        long? forgotten;
        await using (var storeDb = NpgsqlDataSource.Create(eventStoreConnection))
        {
            try
            {
                await using var command = storeDb.CreateCommand("DELETE FROM rejot_events.source_positions WHERE data_store = $1 RETURNING end_lsn");
                command.Parameters.Add(new NpgsqlParameter { Value = source.Slug });
                forgotten = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            }
            catch (PostgresException e) when (e.SqlState is "42P01" or "3F000")
            {
                forgotten = null;
            }
            catch (NpgsqlException e)
            {
                throw new CliException($"Cannot reach the event store '{eventStoreSlug}': {e.Message}");
            }
        }

        await context.Output.WriteLineAsync(forgotten is { } lsn
            ? $"Source '{source.Slug}': forgot the event store's position {TransactionIds.Format(lsn)} of slot '{source.SlotName}'{(droppedSlot ? "; dropped the slot" : string.Empty)}."
            : $"Source '{source.Slug}': the event store had no position for it{(droppedSlot ? "; dropped the slot" : string.Empty)}.").ConfigureAwait(false);
        await context.Output.WriteLineAsync(
            "A running sync engine continues at its next retry from a new slot at the current position (or start it now).").ConfigureAwait(false);
        if (schemas.Count > 0)
        {
            await context.Output.WriteLineAsync($"Changes in the gap are not events. Bring consumers up to date with: {string.Join("; ", schemas.Select(s => $"rejot backfill {s}"))}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
