using System.Globalization;
using System.Text;
using ReJot.Sql;
using ReJot.Sync.Capture;
using ReJot.Sync.Model;

namespace ReJot.Sync.Transform;

/// <summary>
/// A transformation prepared for one relation shape: positional SQL whose parameters carry a cast to the source
/// column's type (values travel as text, so PostgreSQL parses them exactly, numeric and arrays included), wrapped
/// so each result row comes back as one JSON object (<c>row_to_json</c>, exact numbers, column names kept).
/// </summary>
internal sealed class CompiledTransformation
{
    private CompiledTransformation(string sql, int[] parameterColumns)
    {
        Sql = sql;
        ParameterColumns = parameterColumns;
    }

    public string Sql { get; }

    /// <summary>For each <c>$i</c>, the index of the relation column it is bound to.</summary>
    public int[] ParameterColumns { get; }

    public static CompiledTransformation Compile(PublicSchemaModel schema, TransformationModel transformation, RelationInfo relation, Func<uint, string> typeName)
    {
        PositionalSql positional;
        try
        {
            positional = SqlPlaceholders.ToPositional(transformation.Sql);
        }
        catch (SqlPlaceholderException e)
        {
            throw new SyncConfigurationException($"Public schema {schema.Key}: the {transformation.Operation.ToString().ToLowerInvariant()} transformation of {transformation.Table} is not valid SQL: {e.Message}");
        }

        int[] columns;
        if (positional.ParameterNames is { } names)
        {
            columns = new int[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                var index = relation.IndexOf(names[i]);
                if (index < 0)
                {
                    throw new SyncConfigurationException(
                        $"Public schema {schema.Key}: the {transformation.Operation.ToString().ToLowerInvariant()} transformation of {relation.Table} uses :{names[i]}, but the table has no column '{names[i]}' (columns: {string.Join(", ", relation.Columns.Select(c => c.Name))}).");
                }

                columns[i] = index;
            }
        }
        else
        {
            columns = new int[positional.ParameterCount];
            for (var i = 0; i < columns.Length; i++)
            {
                if (i >= relation.Columns.Count)
                {
                    throw new SyncConfigurationException(
                        $"Public schema {schema.Key}: the transformation of {relation.Table} uses ${i + 1}, but the table has only {relation.Columns.Count} column(s).");
                }

                columns[i] = i;
            }
        }

        // Cast each placeholder to its column's type; insert from the end so offsets stay valid.
        var sql = new StringBuilder(positional.Sql);
        var analysis = SqlPlaceholders.Analyze(positional.Sql);
        foreach (var placeholder in analysis.Placeholders.OrderByDescending(p => p.Start))
        {
            if (placeholder.IsNamed || placeholder.Index < 1 || placeholder.Index > columns.Length)
            {
                continue;
            }

            var type = typeName(relation.Columns[columns[placeholder.Index - 1]].TypeOid);
            sql.Insert(placeholder.Start + placeholder.Length, "::" + type);
        }

        var body = sql.ToString().TrimEnd();
        while (body.EndsWith(';'))
        {
            body = body[..^1].TrimEnd();
        }

        return new CompiledTransformation(
            string.Create(CultureInfo.InvariantCulture, $"SELECT row_to_json(rejot_row)::text FROM (\n{body}\n) AS rejot_row"),
            columns);
    }
}
