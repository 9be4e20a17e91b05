using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using ReJot.Schemas.Analyzers.Diagnostics;
using ReJot.Schemas.Analyzers.Model;
using ReJot.Sql;

namespace ReJot.Schemas.Analyzers.Analyzers;

/// <summary>
/// Checks public schemas: name, source and version; transformations (present, table, delete needs a key); field
/// types; and, where the SELECT list can be read, that output columns and contract fields match.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PublicSchemaAnalyzer : DiagnosticAnalyzer
{
    // table or schema.table; each part unquoted (PostgreSQL identifier characters) or "quoted".
    private static readonly Regex s_table = new(
        "^(\"([^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)(\\.(\"([^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*))?$",
        RegexOptions.CultureInvariant);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NoTransformations,
        DiagnosticDescriptors.DuplicatePublicSchema,
        DiagnosticDescriptors.DeleteWithoutKey,
        DiagnosticDescriptors.FieldNotSelected,
        DiagnosticDescriptors.ColumnMatchesNoField,
        DiagnosticDescriptors.UnsupportedFieldType,
        DiagnosticDescriptors.InvalidTable,
        DiagnosticDescriptors.InvalidName,
        DiagnosticDescriptors.MissingDataStore,
        DiagnosticDescriptors.NegativeVersion,
        DiagnosticDescriptors.OrphanAttribute);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Without ReJot.Schemas there are no schemas to check.
            if (KnownSymbols.Create(start.Compilation) is not { PublicSchema: not null } known)
            {
                return;
            }

            var catalog = new SchemaCatalog(start.Compilation, known, start.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, known, catalog), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownSymbols known, SchemaCatalog catalog)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (KnownSymbols.Find(type, known.PublicSchema) is not { } attribute)
        {
            if (KnownSymbols.Find(type, known.Transformation) is { } orphan)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.OrphanAttribute, orphan.Location(context.CancellationToken), "Transformation", type.Name, "PublicSchema"));
            }

            return;
        }

        // Half-typed attributes are the compiler's to report.
        if (KnownSymbols.HasErrors(attribute))
        {
            return;
        }

        var token = context.CancellationToken;
        var name = attribute.StringArgument(0) ?? "";
        CheckAttribute(context, attribute, name, token);
        CheckDuplicates(context, type, catalog, token, attribute);

        var fields = Contract.Fields(type, known);
        foreach (var field in fields)
        {
            if (Contract.WhyNotRepresentable(field.Property.Type, known) is { } reason)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnsupportedFieldType,
                    TypeLocation(field.Property, token),
                    field.Property.Name,
                    field.Property.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    reason));
            }
        }

        var transformations = type.GetAttributes().Where(a => KnownSymbols.Is(a, known.Transformation) && !KnownSymbols.HasErrors(a)).ToList();
        if (transformations.Count == 0 && !type.GetAttributes().Any(a => KnownSymbols.Is(a, known.Transformation)))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoTransformations, attribute.Location(token), name));
        }

        var hasKey = fields.Any(f => f.IsKey);
        foreach (var transformation in transformations)
        {
            var table = transformation.StringArgument(1) ?? "";
            if (!s_table.IsMatch(table))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InvalidTable, transformation.ArgumentLocation(1, "table", token), table));
            }

            if (!hasKey && transformation.ConstructorArguments.Length > 0 && transformation.ConstructorArguments[0].Value is 3)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DeleteWithoutKey, transformation.Location(token), name));
            }
        }

        foreach (var source in SqlSource.Collect(type, known, context.Compilation, token))
        {
            if (source.Kind == SqlSourceKind.Transformation)
            {
                CheckOutputColumns(context, source, fields, name, hasKey, token);
            }
        }
    }

    private static void CheckAttribute(SymbolAnalysisContext context, AttributeData attribute, string name, CancellationToken token)
    {
        if (!Naming.IsValidSchemaName(name))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, attribute.ArgumentLocation(0, "name", token), "Public schema name", name, Naming.SchemaNameRule));
        }

        var source = attribute.NamedString("Source");
        if (string.IsNullOrWhiteSpace(source))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.MissingDataStore, attribute.NamedLocation("Source", token), "Public schema", name, "Source"));
        }
        else if (!Naming.IsValidDataStoreSlug(source))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, attribute.NamedLocation("Source", token), "Source data store slug", source, Naming.DataStoreSlugRule));
        }

        foreach (var version in new[] { "Major", "Minor" })
        {
            var value = attribute.NamedInt(version, 0);
            if (value < 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NegativeVersion, attribute.NamedLocation(version, token), version, value));
            }
        }
    }

    private static void CheckDuplicates(SymbolAnalysisContext context, INamedTypeSymbol type, SchemaCatalog catalog, CancellationToken token, AttributeData attribute)
    {
        if (catalog.EntryOf(type) is not { } self)
        {
            return;
        }

        foreach (var other in catalog.OwnPublicSchemas)
        {
            if (!SymbolEqualityComparer.Default.Equals(other.Type, type) && other.Name == self.Name && other.Major == self.Major && other.Minor == self.Minor)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicatePublicSchema,
                    attribute.ArgumentLocation(0, "name", token),
                    self.Name,
                    self.Major,
                    self.Minor,
                    other.Type.ToDisplayString()));
                return;
            }
        }
    }

    private static void CheckOutputColumns(SymbolAnalysisContext context, SqlSource source, List<ContractField> fields, string schemaName, bool hasKey, CancellationToken token)
    {
        // A delete transformation returns the key fields; without keys RJ0017 already says what to do.
        if (source.IsDelete && !hasKey)
        {
            return;
        }

        var select = SqlSelectList.TryRead(source.Sql);
        if (select is null)
        {
            return;
        }

        var expected = source.IsDelete ? fields.Where(f => f.IsKey).ToList() : fields;
        var expectedNames = expected.Select(f => f.JsonName).ToList();
        var provided = new HashSet<string>(System.StringComparer.Ordinal);
        var deleteHint = source.IsDelete ? " (a delete transformation returns the key fields only)" : "";
        foreach (var column in select.Columns)
        {
            provided.Add(column.Name);
            var written = source.Sql.Substring(column.NameStart, column.NameLength);

            // An unquoted alias written exactly like a field is RJ0005's case (folded by PostgreSQL); one report is enough.
            if (column.HasUnquotedUpperCase && expectedNames.Contains(written))
            {
                provided.Add(written);
                continue;
            }

            if (expectedNames.Contains(column.Name))
            {
                continue;
            }

            var suggestion = column.IsInferred && !column.IsAlias && column.Name == "?column?" ? null : Naming.Suggest(column.Name, expectedNames);
            var hint = suggestion is not null ? deleteHint + "; did you mean \"" + suggestion + "\"?"
                : column.Name == "?column?" ? deleteHint + " (PostgreSQL names an expression without alias '?column?'; add AS \"<field>\")"
                : deleteHint;
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ColumnMatchesNoField,
                source.GetLocation(column.NameStart, column.NameLength, token),
                column.Name,
                schemaName,
                hint));
        }

        Location? listLocation = null;
        foreach (var field in expected)
        {
            if (field.IsOptional || provided.Contains(field.JsonName))
            {
                continue;
            }

            listLocation ??= select.Columns.Count == 0
                ? source.WholeLocation
                : source.GetLocation(select.Columns[0].ItemStart, select.Columns[select.Columns.Count - 1].ItemStart + select.Columns[select.Columns.Count - 1].ItemLength - select.Columns[0].ItemStart, token);
            var hint = " (add a column \"" + field.JsonName + "\", e.g. ... AS \"" + field.JsonName + "\")";
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.FieldNotSelected, listLocation, SqlSource.OperationName(source.Operation), field.JsonName, schemaName, hint));
        }
    }

    private static Location TypeLocation(IPropertySymbol property, CancellationToken token)
    {
        foreach (var reference in property.DeclaringSyntaxReferences)
        {
            switch (reference.GetSyntax(token))
            {
                case PropertyDeclarationSyntax declaration:
                    return declaration.Type.GetLocation();
                case ParameterSyntax { Type: { } parameterType }:
                    return parameterType.GetLocation();
            }
        }

        return property.Locations.Length > 0 ? property.Locations[0] : Location.None;
    }
}
