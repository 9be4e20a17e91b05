using System.Globalization;

namespace ReJot.Sync.EventStore;

/// <summary>Identifies a public schema's event stream: the manifest that publishes it, its name and major version.</summary>
/// <param name="ManifestSlug">The slug of the manifest that declares the public schema.</param>
/// <param name="Name">The public schema's name.</param>
/// <param name="Major">The major version; streams of different majors are independent.</param>
internal readonly record struct PublicSchemaKey(string ManifestSlug, string Name, int Major)
{
    /// <inheritdoc />
    public override string ToString() => $"{ManifestSlug}->{Name}@{Major}";
}

/// <summary>The operation an event describes.</summary>
internal enum EventOperation
{
    /// <summary>A row was inserted; the object is the full contract object.</summary>
    Insert,

    /// <summary>A row was updated; the object is the full contract object.</summary>
    Update,

    /// <summary>A row was deleted; the object holds the contract's key fields only.</summary>
    Delete,
}

/// <summary>
/// A position in a public schema's event stream: the source commit LSN of the transaction (as a number), then
/// the event's index among that schema's events in the transaction. Positions compare as numbers.
/// </summary>
/// <param name="CommitLsn">The commit LSN of the source transaction.</param>
/// <param name="Index">The index of the event among the schema's events of that transaction.</param>
internal readonly record struct EventPosition(long CommitLsn, int Index) : IComparable<EventPosition>
{
    /// <summary>Before every event.</summary>
    public static EventPosition Start => AfterTransaction(0);

    /// <summary>The position after every event of the transaction committed at <paramref name="commitLsn"/>.</summary>
    public static EventPosition AfterTransaction(long commitLsn) => new(commitLsn, int.MaxValue);

    /// <inheritdoc />
    public int CompareTo(EventPosition other)
    {
        var c = CommitLsn.CompareTo(other.CommitLsn);
        return c != 0 ? c : Index.CompareTo(other.Index);
    }

    /// <inheritdoc />
    public override string ToString() => $"{TransactionIds.Format(CommitLsn)}#{Index}";
}

/// <summary>One stored event.</summary>
internal sealed record StoredEvent(
    PublicSchemaKey Schema,
    int Minor,
    long CommitLsn,
    int Index,
    EventOperation Operation,
    string ObjectJson)
{
    /// <summary>The event's position in its stream.</summary>
    public EventPosition Position => new(CommitLsn, Index);

    /// <summary>The fixed-width transaction id of the source transaction.</summary>
    public string TransactionId => TransactionIds.Format(CommitLsn);
}

/// <summary>All events of one public schema produced by one source transaction, in order.</summary>
internal sealed record EventTransaction(long CommitLsn, IReadOnlyList<StoredEvent> Events)
{
    /// <summary>The fixed-width transaction id (16 upper-case hex digits of the commit LSN).</summary>
    public string TransactionId => TransactionIds.Format(CommitLsn);
}

/// <summary>An event to append: the schema, its minor version, operation and object.</summary>
internal sealed record NewEvent(PublicSchemaKey Schema, int Minor, EventOperation Operation, string ObjectJson)
{
    /// <summary>
    /// The only consumer (<c>manifest-slug/consumer-name</c>) that reads this event (a backfill requested for it), or
    /// null for every consumer.
    /// </summary>
    public string? Consumer { get; init; }
}

/// <summary>What the event store remembers about a source: the last transaction whose events it committed.</summary>
/// <param name="DataStoreSlug">The source data store.</param>
/// <param name="SlotName">The replication slot the position belongs to.</param>
/// <param name="CommitLsn">The commit LSN of the last stored transaction.</param>
/// <param name="EndLsn">The end LSN of that transaction (where replication resumes).</param>
internal sealed record SourcePosition(string DataStoreSlug, string SlotName, long CommitLsn, long EndLsn);

/// <summary>
/// Transaction ids as strings: the commit LSN as 16 upper-case hex digits, zero-padded, so they order the same
/// as text and as numbers (the original's unpadded "X/Y" form did not).
/// </summary>
internal static class TransactionIds
{
    /// <summary>Formats a commit LSN.</summary>
    public static string Format(long commitLsn) => commitLsn.ToString("X16", CultureInfo.InvariantCulture);

    /// <summary>Parses a transaction id in the 16-hex-digit form or the PostgreSQL "X/Y" LSN form.</summary>
    public static bool TryParse(string? text, out long commitLsn)
    {
        commitLsn = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (uint.TryParse(text.AsSpan(0, slash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hi)
                && uint.TryParse(text.AsSpan(slash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var lo))
            {
                commitLsn = (long)(((ulong)hi << 32) | lo);
                return commitLsn >= 0;
            }

            return false;
        }

        if (text.Length > 16)
        {
            return false;
        }

        return long.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out commitLsn) && commitLsn >= 0;
    }
}
