using ReJot.Sync.Model;

namespace ReJot.Sync.Capture;

/// <summary>A column of a published relation, as the last RELATION message described it.</summary>
internal sealed record RelationColumn(string Name, uint TypeOid, bool IsKey);

/// <summary>
/// A snapshot of a relation's shape. A RELATION message after an ALTER gives a new snapshot (new version), so
/// changes spooled before the ALTER keep the shape they were written with.
/// </summary>
internal sealed record RelationInfo(uint Id, int Version, TableName Table, char ReplicaIdentity, IReadOnlyList<RelationColumn> Columns)
{
    /// <summary>Index of a column by name, or -1.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>The kind of row change.</summary>
internal enum ChangeKind : byte
{
    /// <summary>INSERT.</summary>
    Insert = 1,

    /// <summary>UPDATE.</summary>
    Update = 2,

    /// <summary>DELETE.</summary>
    Delete = 3,
}

/// <summary>
/// A row image in pgoutput text form: one string per column, null for SQL NULL, and a flag for
/// "unchanged TOAST value" (the server did not send it).
/// </summary>
internal sealed class RowImage(string?[] values, bool[]? unchangedToast)
{
    public string?[] Values { get; } = values;

    public bool[]? UnchangedToast { get; } = unchangedToast;

    public bool IsUnchangedToast(int index) => UnchangedToast is not null && UnchangedToast[index];
}

/// <summary>One row change of a transaction, in WAL order.</summary>
internal sealed record CapturedChange(ChangeKind Kind, RelationInfo Relation, uint SubXid, RowImage? New, RowImage? Old);
