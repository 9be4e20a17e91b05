using Npgsql;

namespace ReJot.Sync.Apply;

/// <summary>
/// A column of a set-based INSERT's target: type named <c>schema.typname</c>, type modifier (-1: none), generated, and
/// whether its collation is its type's (as a placeholder of that type has), not one of its own (<c>COLLATE "C"</c>).
/// </summary>
internal sealed record SetBasedTargetColumn(string Type, int TypeModifier, bool Generated, bool TypeCollation = true);

/// <summary>
/// What the catalog says about the target table of an INSERT whose DO UPDATE clause has placeholders: enough to
/// decide whether <c>EXCLUDED.col</c> holds exactly the value of the placeholder given as that column's VALUES item
/// (see <see cref="SetBasedSql.Build(IReadOnlyList{string}, SetBasedTarget?, out string)"/>).
/// </summary>
internal sealed record SetBasedTarget(string Kind, IReadOnlyDictionary<string, SetBasedTargetColumn> Columns, IReadOnlyList<string> BeforeInsertRowTriggers)
{
    /// <summary>
    /// Reads the table as the connection resolves <paramref name="name"/> (its search_path, like the statement). Null when
    /// there is no such relation. Triggers count whether enabled or not (one can be enabled while the pump runs), on the
    /// table and on every partition of it (a row routed to a partition fires that partition's BEFORE INSERT triggers).
    /// </summary>
    public static async Task<SetBasedTarget?> ReadAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        // tgtype bits: 1 row, 2 before, 4 insert.
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relkind::text,
                ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                ARRAY(SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname)
                    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                ARRAY(SELECT a.atttypmod FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                ARRAY(SELECT a.attgenerated <> '' FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                ARRAY(SELECT a.attcollation = t.typcollation FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                ARRAY(SELECT g.tgname || ' on ' || g.tgrelid::regclass::text FROM pg_trigger g
                    WHERE (g.tgrelid = c.oid OR g.tgrelid IN (SELECT relid FROM pg_partition_tree(c.oid))) AND g.tgtype & 7 = 7
                    ORDER BY 1)
            FROM pg_class c WHERE c.oid = to_regclass($1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var names = reader.GetFieldValue<string[]>(1);
        var types = reader.GetFieldValue<string[]>(2);
        var modifiers = reader.GetFieldValue<int[]>(3);
        var generated = reader.GetFieldValue<bool[]>(4);
        var typeCollation = reader.GetFieldValue<bool[]>(5);
        var columns = new Dictionary<string, SetBasedTargetColumn>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            columns[names[i]] = new SetBasedTargetColumn(types[i], modifiers[i], generated[i], typeCollation[i]);
        }

        return new SetBasedTarget(reader.GetString(0), columns, reader.GetFieldValue<string[]>(6));
    }
}
