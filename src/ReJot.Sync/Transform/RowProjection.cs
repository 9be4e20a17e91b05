using System.Text;
using ReJot.Sync.Capture;

namespace ReJot.Sync.Transform;

/// <summary>
/// Session settings that change the text form of values: the walsender's (pgoutput's text) and the transform
/// connection's (<c>row_to_json</c> in the query) must agree for the types they affect.
/// </summary>
internal sealed record OutputSettings(string? TimeZone, string? DateStyle, string? ExtraFloatDigits)
{
    /// <summary>Why values of <paramref name="kind"/> sent under <paramref name="wal"/> may differ from what <paramref name="query"/> renders; null when they cannot.</summary>
    public static string? Mismatch(PgJsonKind kind, OutputSettings? wal, OutputSettings? query)
    {
        if (wal is null || query is null)
        {
            return kind is PgJsonKind.Float or PgJsonKind.Date or PgJsonKind.Timestamp or PgJsonKind.TimestampTz
                ? "the session settings of the replication connection are not known"
                : null;
        }

        return kind switch
        {
            // Any positive value gives the shortest exact form (PostgreSQL 12+); zero or less rounds.
            PgJsonKind.Float when !(wal.ExtraFloatDigits == query.ExtraFloatDigits || (IsPositive(wal.ExtraFloatDigits) && IsPositive(query.ExtraFloatDigits)))
                => $"extra_float_digits differs (replication {wal.ExtraFloatDigits}, queries {query.ExtraFloatDigits})",
            PgJsonKind.Date or PgJsonKind.Timestamp or PgJsonKind.TimestampTz when wal.DateStyle is null || !wal.DateStyle.StartsWith("ISO", StringComparison.Ordinal)
                => $"the replication connection's DateStyle is {wal.DateStyle}, not ISO",
            PgJsonKind.TimestampTz when !string.Equals(wal.TimeZone, query.TimeZone, StringComparison.Ordinal)
                => $"TimeZone differs (replication {wal.TimeZone}, queries {query.TimeZone})",
            _ => null,
        };
    }

    private static bool IsPositive(string? value) => int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0;
}

/// <summary>
/// A projection transformation bound to one relation shape: renders the object straight from a decoded row image,
/// byte for byte what <c>SELECT row_to_json(…)</c> of the query would return for the same row.
/// </summary>
internal sealed class RowProjection
{
    private readonly string[] _prefixes;
    private readonly int[] _columns;
    private readonly PgJsonKind[] _kinds;
    private readonly bool[] _arrays;

    private RowProjection(string[] prefixes, int[] columns, PgJsonKind[] kinds, bool[] arrays)
    {
        _prefixes = prefixes;
        _columns = columns;
        _kinds = kinds;
        _arrays = arrays;
    }

    /// <summary>
    /// Binds <paramref name="shape"/> to <paramref name="relation"/>: every item a column of a supported type, the
    /// WHERE exactly the replica identity key, each key column compared with the parameter bound to itself.
    /// </summary>
    /// <param name="shape">The parsed projection.</param>
    /// <param name="relation">The relation shape the change was decoded with.</param>
    /// <param name="baseType">The base type of a column type (domains resolved), or null when unknown.</param>
    /// <param name="mismatch">Why a kind of value cannot be rendered from this stream's text (null: it can).</param>
    /// <param name="reason">Why not, when null is returned.</param>
    public static RowProjection? Bind(ProjectionShape shape, RelationInfo relation, Func<uint, uint?> baseType, Func<PgJsonKind, string?> mismatch, out string reason)
    {
        switch (relation.ReplicaIdentity)
        {
            case 'f':
                reason = "the table has REPLICA IDENTITY FULL (every column is flagged as key, the key is not known)";
                return null;
            case 'n':
                reason = "the table has REPLICA IDENTITY NOTHING";
                return null;
        }

        var keys = new HashSet<int>();
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            if (relation.Columns[i].IsKey)
            {
                keys.Add(i);
            }
        }

        if (keys.Count == 0)
        {
            reason = "the table has no replica identity key";
            return null;
        }

        var matched = new HashSet<int>();
        foreach (var condition in shape.Conditions)
        {
            var column = relation.IndexOf(condition.Column.Column);
            if (column < 0 || !keys.Contains(column))
            {
                reason = $"the WHERE compares '{condition.Column.Column}', which is not a replica identity key column";
                return null;
            }

            var bound = condition.ParameterName is { } name ? relation.IndexOf(name) : condition.ParameterIndex - 1;
            if (bound != column)
            {
                reason = $"the WHERE compares '{condition.Column.Column}' with a parameter bound to another column";
                return null;
            }

            if (!matched.Add(column))
            {
                reason = $"the WHERE compares '{condition.Column.Column}' twice";
                return null;
            }
        }

        if (matched.Count != keys.Count)
        {
            reason = "the WHERE does not compare every replica identity key column ("
                + string.Join(", ", keys.Order().Select(k => relation.Columns[k].Name)) + ")";
            return null;
        }

        var count = shape.Items.Count;
        var prefixes = new string[count];
        var columns = new int[count];
        var kinds = new PgJsonKind[count];
        var arrays = new bool[count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var prefix = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var item = shape.Items[i];
            var column = relation.IndexOf(item.Source.Column);
            if (column < 0)
            {
                reason = $"'{item.Source.Column}' is not a column of {relation.Table}";
                return null;
            }

            if (!names.Add(item.OutputName))
            {
                reason = $"the output name '{item.OutputName}' appears twice";
                return null;
            }

            var type = relation.Columns[column].TypeOid;
            var (kind, isArray) = baseType(type) is { } b ? RowJson.Classify(b) : (PgJsonKind.Unsupported, false);
            if (kind == PgJsonKind.Unsupported)
            {
                reason = $"column '{item.Source.Column}' has a type (oid {type}) whose JSON form is not proven identical";
                return null;
            }

            if (mismatch(kind) is { } why)
            {
                reason = $"column '{item.Source.Column}' ({kind}): {why}";
                return null;
            }

            prefix.Clear().Append(i == 0 ? '{' : ',');
            RowJson.AppendString(prefix, item.OutputName);
            prefix.Append(':');
            prefixes[i] = prefix.ToString();
            columns[i] = column;
            kinds[i] = kind;
            arrays[i] = isArray;
        }

        reason = string.Empty;
        return new RowProjection(prefixes, columns, kinds, arrays);
    }

    /// <summary>
    /// Writes the object for <paramref name="row"/> into <paramref name="json"/> (cleared first); false when a
    /// needed value is not in the row (unchanged TOAST) or not in a form rendered here: run the query instead.
    /// </summary>
    public bool TryWrite(RowImage row, StringBuilder json)
    {
        json.Clear();
        var values = row.Values;
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            if (column >= values.Length || row.IsUnchangedToast(column))
            {
                return false;
            }

            json.Append(_prefixes[i]);
            if (!RowJson.TryAppend(json, values[column], _kinds[i], _arrays[i]))
            {
                return false;
            }
        }

        json.Append('}');
        return true;
    }
}
