using System.Globalization;

namespace ReJot.Sync.Backfill;

/// <summary>
/// A PostgreSQL MVCC snapshot in <c>pg_snapshot</c> text form (<c>xmin:xmax:xip,…</c>, 64-bit transaction ids),
/// and the visibility test for the 32-bit transaction ids that pgoutput reports.
/// </summary>
internal sealed class XidSnapshot
{
    private readonly HashSet<long> _inProgress;

    private XidSnapshot(long xmin, long xmax, HashSet<long> inProgress)
    {
        Xmin = xmin;
        Xmax = xmax;
        _inProgress = inProgress;
    }

    /// <summary>Every transaction id below this one had finished when the snapshot was taken.</summary>
    public long Xmin { get; }

    /// <summary>Every transaction id at or above this one had not started when the snapshot was taken.</summary>
    public long Xmax { get; }

    /// <summary>Transactions running when the snapshot was taken.</summary>
    public IReadOnlyCollection<long> InProgress => _inProgress;

    public static XidSnapshot Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3)
        {
            throw new FormatException($"'{text}' is not a pg_snapshot.");
        }

        var xip = new HashSet<long>();
        foreach (var id in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            xip.Add(long.Parse(id, CultureInfo.InvariantCulture));
        }

        return new XidSnapshot(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), xip);
    }

    /// <summary>
    /// Whether the committed transaction with 32-bit id <paramref name="xid"/> is visible to this snapshot. The full
    /// id is rebuilt relative to <see cref="Xmax"/>: the transactions this is asked about committed within 2^31 ids
    /// of the snapshot (before or after it).
    /// </summary>
    public bool IsVisible(uint xid)
    {
        var distance = unchecked((int)(xid - (uint)Xmax));
        if (distance >= 0)
        {
            // Started at or after xmax: not visible.
            return false;
        }

        var full = Xmax + distance;
        return full < Xmin || !_inProgress.Contains(full);
    }

    /// <summary>Whether the transaction finished before every transaction this snapshot may still see as running (visible to every later snapshot).</summary>
    public bool IsBeforeXmin(uint xid)
    {
        var distance = unchecked((int)(xid - (uint)Xmax));
        return distance < 0 && Xmax + distance < Xmin;
    }

    /// <summary>Whether the 32-bit transaction id <paramref name="xid"/> is older than the full id <paramref name="horizon"/> (ids within 2^31 of it).</summary>
    public static bool IsBefore(uint xid, long horizon) => unchecked((int)(xid - (uint)horizon)) < 0;

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Xmin}:{Xmax}:{string.Join(',', _inProgress.Order())}");
}
