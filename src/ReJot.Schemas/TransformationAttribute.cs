#if NET7_0_OR_GREATER
using System.Diagnostics.CodeAnalysis;
#endif

namespace ReJot.Schemas;

/// <summary>
/// A transformation of a public schema: the SQL that turns a changed row of a source table into the
/// contract's fields.
/// </summary>
/// <remarks>
/// <para>
/// The SQL runs on the source database once per changed row and must return exactly one row whose columns
/// are the contract's JSON field names (quote camelCase aliases: <c>AS "createdAt"</c>, because PostgreSQL
/// folds unquoted names to lower case).
/// </para>
/// <para>
/// Placeholders are either named, <c>:column</c> (a column of the changed row), or positional,
/// <c>$1</c>…<c>$n</c> (the row's columns in table order); the two styles cannot be mixed. For
/// <see cref="Operation.Delete"/> only the old row's replica-identity (key) columns are available.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class TransformationAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="operation">The change this transformation reacts to.</param>
    /// <param name="table">The source table, optionally schema-qualified (<c>sales.orders</c>); unqualified means <c>public</c>.</param>
    /// <param name="sql">The PostgreSQL query; a raw string literal (<c>"""…"""</c>) keeps quoted identifiers readable.</param>
    public TransformationAttribute(
        Operation operation,
        string table,
#if NET7_0_OR_GREATER
        [StringSyntax("PostgreSQL")]
#endif
        string sql)
    {
        Operation = operation;
        Table = table;
        Sql = sql;
    }

    /// <summary>The change this transformation reacts to.</summary>
    public Operation Operation { get; }

    /// <summary>The source table, optionally schema-qualified.</summary>
    public string Table { get; }

    /// <summary>The PostgreSQL query.</summary>
    public string Sql { get; }
}
