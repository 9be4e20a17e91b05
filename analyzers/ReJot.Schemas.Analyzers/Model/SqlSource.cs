using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>Where a SQL text comes from.</summary>
internal enum SqlSourceKind
{
    /// <summary>A public schema's [Transformation].</summary>
    Transformation,

    /// <summary>A consumer schema's [UpsertSql] field.</summary>
    Upsert,

    /// <summary>A consumer schema's [DeleteSql] field.</summary>
    Delete,
}

/// <summary>One SQL text of a schema, with a way to turn offsets in it into source locations.</summary>
internal sealed class SqlSource
{
    private const int DeleteOperation = 3;

    private readonly Compilation _compilation;
    private readonly ExpressionSyntax? _expression;
    private readonly Location _fallback;

    public SqlSource(SqlSourceKind kind, string sql, int operation, string table, ExpressionSyntax? expression, Location fallback, Compilation compilation)
    {
        Kind = kind;
        Sql = sql;
        Operation = operation;
        Table = table;
        _expression = expression;
        _fallback = fallback;
        _compilation = compilation;
    }

    public SqlSourceKind Kind { get; }

    public string Sql { get; }

    /// <summary>The <c>ReJot.Schemas.Operation</c> value of a transformation (0 Insert, 1 Update, 2 InsertOrUpdate, 3 Delete).</summary>
    public int Operation { get; }

    /// <summary>The table of a transformation; empty for consumer SQL.</summary>
    public string Table { get; }

    /// <summary>True for SQL that handles deletes (a delete transformation or a consumer's delete SQL).</summary>
    public bool IsDelete => Kind == SqlSourceKind.Delete || (Kind == SqlSourceKind.Transformation && Operation == DeleteOperation);

    /// <summary>How diagnostics name this SQL.</summary>
    public string Description => Kind switch
    {
        SqlSourceKind.Upsert => "upsert",
        SqlSourceKind.Delete => "delete",
        _ => OperationName(Operation) + " transformation",
    };

    /// <summary>The whole SQL expression (or the attribute/field when there is none).</summary>
    public Location WholeLocation => _expression?.GetLocation() ?? _fallback;

    /// <summary>The source location of the SQL characters [start, start + length), as precise as the source allows.</summary>
    public Location GetLocation(int start, int length, CancellationToken cancellationToken)
    {
        if (_expression is null)
        {
            return _fallback;
        }

        return Map(_expression, start, length, depth: 0, cancellationToken) ?? _expression.GetLocation();
    }

    public static string OperationName(int operation) => operation switch
    {
        0 => "insert",
        1 => "update",
        2 => "insertOrUpdate",
        3 => "delete",
        _ => "unknown",
    };

    private Location? Map(ExpressionSyntax expression, int start, int length, int depth, CancellationToken cancellationToken)
    {
        // Const chains deeper than this are not worth following.
        if (depth > 8)
        {
            return null;
        }

        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        switch (expression)
        {
            case LiteralExpressionSyntax literal:
            {
                var map = StringLiteralMap.Create(literal.Token);
                if (map is null || start + length > map.Length)
                {
                    return null;
                }

                return Location.Create(literal.SyntaxTree, map.Map(start, length));
            }

            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression):
            {
                if (ConstantString(binary.Left, cancellationToken) is not { } left)
                {
                    return null;
                }

                if (start + length <= left.Length)
                {
                    return Map(binary.Left, start, length, depth + 1, cancellationToken);
                }

                if (start >= left.Length)
                {
                    return Map(binary.Right, start - left.Length, length, depth + 1, cancellationToken);
                }

                return null;
            }

            case IdentifierNameSyntax or MemberAccessExpressionSyntax:
            {
                if (SemanticModelFor(expression.SyntaxTree)?.GetSymbolInfo(expression, cancellationToken).Symbol is not IFieldSymbol { IsConst: true } field)
                {
                    return null;
                }

                foreach (var reference in field.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value })
                    {
                        return Map(value, start, length, depth + 1, cancellationToken) ?? value.GetLocation();
                    }
                }

                return null;
            }

            default:
                return null;
        }
    }

    private string? ConstantString(ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        if (expression is LiteralExpressionSyntax literal)
        {
            return literal.Token.Value as string;
        }

        return SemanticModelFor(expression.SyntaxTree)?.GetConstantValue(expression, cancellationToken).Value as string;
    }

    private SemanticModel? SemanticModelFor(SyntaxTree tree)
    {
        if (!_compilation.ContainsSyntaxTree(tree))
        {
            return null;
        }

        // Only SQL written as a const reference or a concatenation needs binding, which is rare; literals never do.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
        return _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
    }

    /// <summary>The SQL of a public schema's transformations and a consumer schema's SQL fields.</summary>
    public static List<SqlSource> Collect(INamedTypeSymbol type, KnownSymbols known, Compilation compilation, CancellationToken cancellationToken)
    {
        var sources = new List<SqlSource>();
        foreach (var attribute in type.GetAttributes())
        {
            if (!KnownSymbols.Is(attribute, known.Transformation) || KnownSymbols.HasErrors(attribute) || attribute.ConstructorArguments.Length < 3)
            {
                continue;
            }

            var operation = attribute.ConstructorArguments[0].Value is int value ? value : -1;
            var table = attribute.StringArgument(1) ?? "";
            var sql = attribute.StringArgument(2);
            if (sql is null)
            {
                continue;
            }

            var expression = attribute.ConstructorArgumentSyntax(2, "sql", cancellationToken);
            sources.Add(new SqlSource(SqlSourceKind.Transformation, sql, operation, table, expression, attribute.Location(cancellationToken), compilation));
        }

        foreach (var member in type.GetMembers())
        {
            if (member is not IFieldSymbol field)
            {
                continue;
            }

            var kind = KnownSymbols.Find(field, known.UpsertSql) is not null ? SqlSourceKind.Upsert
                : KnownSymbols.Find(field, known.DeleteSql) is not null ? SqlSourceKind.Delete
                : (SqlSourceKind?)null;
            if (kind is null || !field.IsConst || field.ConstantValue is not string sql)
            {
                continue;
            }

            ExpressionSyntax? expression = null;
            var fallback = field.Locations.Length > 0 ? field.Locations[0] : Location.None;
            foreach (var reference in field.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is VariableDeclaratorSyntax { Initializer.Value: { } value })
                {
                    expression = value;
                }
            }

            sources.Add(new SqlSource(kind.Value, sql, -1, "", expression, fallback, compilation));
        }

        return sources;
    }
}
