using Microsoft.Extensions.Logging;

namespace ReJot.Sync.Hosting;

/// <summary>All engine log messages, with their event ids in one table.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "ReJot sync starting: {Sources} source(s), {PublicSchemas} public schema(s), {Consumers} consumer schema(s)")]
    public static partial void Starting(ILogger logger, int sources, int publicSchemas, int consumers);

    [LoggerMessage(1001, LogLevel.Information, "ReJot sync stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(1002, LogLevel.Critical, "ReJot sync cannot start: {Message}")]
    public static partial void CannotStart(ILogger logger, string message);

    [LoggerMessage(1003, LogLevel.Information, "ReJot sync is a standby: serving the event store {EventStore} only (no replication slot is read, no consumer is applied)")]
    public static partial void StartingStandby(ILogger logger, string eventStore);

    [LoggerMessage(1004, LogLevel.Error, "ReJot sync cannot start yet (attempt {Attempt}, retrying in {Delay}): {Message}")]
    public static partial void CannotStartYet(ILogger logger, int attempt, TimeSpan delay, string message);

    [LoggerMessage(1100, LogLevel.Information, "Source {DataStore}: reading slot {Slot} (publication {Publication}) from {Position}")]
    public static partial void SourceReading(ILogger logger, string dataStore, string slot, string publication, string position);

    [LoggerMessage(1101, LogLevel.Error, "Source {DataStore} failed (attempt {Attempt}, retrying in {Delay}): {Message}")]
    public static partial void SourceFailed(ILogger logger, string dataStore, int attempt, TimeSpan delay, string message, Exception? exception);

    [LoggerMessage(1102, LogLevel.Information, "Source {DataStore}: created replication slot {Slot}")]
    public static partial void SlotCreated(ILogger logger, string dataStore, string slot);

    [LoggerMessage(1103, LogLevel.Information, "Source {DataStore}: publication {Publication} now covers {Tables}")]
    public static partial void PublicationUpdated(ILogger logger, string dataStore, string publication, string tables);

    [LoggerMessage(1104, LogLevel.Error, "Source {DataStore}: TRUNCATE of {Tables} at {Lsn} is not published as events; consumers of {Schemas} keep the truncated rows until resynchronised")]
    public static partial void TruncateNotPublished(ILogger logger, string dataStore, string tables, string lsn, string schemas);

    [LoggerMessage(1105, LogLevel.Warning, "Public schema {Schema}: deletes of {Table} produce no events (declare keys or a delete transformation to publish them)")]
    public static partial void DeletesNotPublished(ILogger logger, string schema, string table);

    [LoggerMessage(1106, LogLevel.Debug, "Source {DataStore}: stored transaction {TransactionId} with {Events} event(s)")]
    public static partial void TransactionStored(ILogger logger, string dataStore, string transactionId, int events);

    [LoggerMessage(1107, LogLevel.Error, "Public schema {Schema}: object from {Table} at {TransactionId} does not match the contract: {Errors}")]
    public static partial void InvalidObject(ILogger logger, string schema, string table, string transactionId, string errors);

    [LoggerMessage(1108, LogLevel.Information, "Public schema {Schema}: the {Operation} transformation of {Table} is a projection of the changed row: evaluated from the WAL row, without a query")]
    public static partial void TransformationFromRow(ILogger logger, string schema, string operation, string table);

    [LoggerMessage(1109, LogLevel.Information, "Public schema {Schema}: the {Operation} transformation of {Table} runs as a query against the source: {Reason}")]
    public static partial void TransformationQueried(ILogger logger, string schema, string operation, string table, string reason);

    [LoggerMessage(1110, LogLevel.Critical, "Source {DataStore} stopped: changes were lost and an operator must decide (retrying in {Delay}): {Message}")]
    public static partial void ChangesLost(ILogger logger, string dataStore, TimeSpan delay, string message);

    [LoggerMessage(1111, LogLevel.Warning, "Source {DataStore}: publication {Publication} did not cover {Tables} (a new transformation table, or removed behind ReJot's back); changes to it made before now are not events: backfill {Schemas} if consumers need them")]
    public static partial void PublicationExtended(ILogger logger, string dataStore, string publication, string tables, string schemas);

    [LoggerMessage(1200, LogLevel.Information, "Consumer {Consumer}: applying {Schema} into {Destination} after {Cursor}")]
    public static partial void ConsumerStarting(ILogger logger, string consumer, string schema, string destination, string cursor);

    [LoggerMessage(1201, LogLevel.Error, "Consumer {Consumer} faulted at {Position} (attempt {Attempt}, retrying in {Delay}): {Message}")]
    public static partial void ConsumerFaulted(ILogger logger, string consumer, string position, int attempt, TimeSpan delay, string message, Exception? exception);

    [LoggerMessage(1202, LogLevel.Information, "Consumer {Consumer} recovered at {Cursor}")]
    public static partial void ConsumerRecovered(ILogger logger, string consumer, string cursor);

    [LoggerMessage(1203, LogLevel.Warning, "Consumer {Consumer} has no deleteSql: delete events of {Schema} are not applied")]
    public static partial void ConsumerIgnoresDeletes(ILogger logger, string consumer, string schema);

    [LoggerMessage(1205, LogLevel.Warning, "Consumer {Consumer} reads {Schema} from the local event store because {Reason}; if another sync service publishes manifest '{Manifest}', configure a resolver for it (ReJot:Resolver; env: REJOT_SYNC_SERVICE_<slug>=host:port; static: ReJot:Resolvers:<slug>)")]
    public static partial void ConsumerReadsLocalStore(ILogger logger, string consumer, string schema, string reason, string manifest);

    [LoggerMessage(1206, LogLevel.Information, "Consumer {Consumer}: {Statement} is applied one event at a time, not set-based, because {Reason}")]
    public static partial void ConsumerAppliesPerEvent(ILogger logger, string consumer, string statement, string reason);

    [LoggerMessage(1207, LogLevel.Warning, "Consumer {Consumer}: a set-based run from {Position} failed ({Message}); applying the events through {Cursor} again one at a time")]
    public static partial void ConsumerSetBasedRunFailed(ILogger logger, string consumer, string position, string cursor, string message);

    [LoggerMessage(1210, LogLevel.Information, "Consumer {Consumer} starts at the end of {Schema} (after transaction {Cursor}): earlier events are not applied (ReJot:Consumers:<name>:StartFrom = End)")]
    public static partial void ConsumerStartsAtEnd(ILogger logger, string consumer, string schema, string cursor);

    [LoggerMessage(1204, LogLevel.Debug, "Consumer {Consumer}: committed {Events} event(s) up to {Cursor}")]
    public static partial void ConsumerCommitted(ILogger logger, string consumer, int events, string cursor);

    [LoggerMessage(1300, LogLevel.Information, "Backfill {Id} of {Schema}: running from table {Table} after key {Key} (about {Estimated} row(s) in total)")]
    public static partial void BackfillRunning(ILogger logger, long id, string schema, string table, string key, long estimated);

    [LoggerMessage(1301, LogLevel.Information, "Backfill {Id} of {Schema}: waiting for {Count} transaction(s) that were running at its start to finish")]
    public static partial void BackfillWaiting(ILogger logger, long id, string schema, int count);

    [LoggerMessage(1302, LogLevel.Information, "Backfill {Id} of {Schema} completed: {Rows} row(s) read, {Events} event(s) stored")]
    public static partial void BackfillCompleted(ILogger logger, long id, string schema, long rows, long events);

    [LoggerMessage(1303, LogLevel.Error, "Backfill {Id} of {Schema} failed: {Message}")]
    public static partial void BackfillFailed(ILogger logger, long id, string schema, string message);

    [LoggerMessage(1304, LogLevel.Warning, "Source {DataStore}: ignored an unreadable backfill message in transaction {TransactionId}: {Message}")]
    public static partial void BackfillMessageIgnored(ILogger logger, string dataStore, string transactionId, string message);

    [LoggerMessage(1305, LogLevel.Information, "Backfill {Id} of {Schema} for {Consumer} requested ({Reason})")]
    public static partial void BackfillRequested(ILogger logger, long id, string schema, string consumer, string reason);

    [LoggerMessage(1306, LogLevel.Warning, "Backfill {Id} of {Schema} interrupted (retrying in {Delay}): {Message}")]
    public static partial void BackfillRetrying(ILogger logger, long id, string schema, TimeSpan delay, string message);

    [LoggerMessage(1307, LogLevel.Information, "Backfill {Id} of {Schema}: {Rows} of about {Estimated} row(s) read, {Events} event(s) stored, {Rate} rows/s")]
    public static partial void BackfillProgress(ILogger logger, long id, string schema, long rows, long estimated, long events, long rate);
}
