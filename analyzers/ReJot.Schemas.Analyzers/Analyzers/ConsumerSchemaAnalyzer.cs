using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ReJot.Schemas.Analyzers.Diagnostics;
using ReJot.Schemas.Analyzers.Model;
using ReJot.Sql;

namespace ReJot.Schemas.Analyzers.Analyzers;

/// <summary>
/// Checks consumer schemas: name and destination, the consumed public schema (in this compilation or a referenced
/// assembly), the SQL fields, and every <c>:name</c> placeholder against the contract's fields and keys.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConsumerSchemaAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnknownPlaceholder,
        DiagnosticDescriptors.DeleteUsesNonKeyField,
        DiagnosticDescriptors.MissingUpsertSql,
        DiagnosticDescriptors.UnknownPublicSchema,
        DiagnosticDescriptors.UnknownMajorVersion,
        DiagnosticDescriptors.PublicSchemaNotVisible,
        DiagnosticDescriptors.SqlFieldNotConstant,
        DiagnosticDescriptors.DuplicateSqlField,
        DiagnosticDescriptors.ConsumedSchemaNotNamed,
        DiagnosticDescriptors.DuplicateConsumerSchema,
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
            if (KnownSymbols.Create(start.Compilation) is not { ConsumerSchema: not null } known)
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
        var plain = KnownSymbols.Find(type, known.ConsumerSchema);
        var typed = KnownSymbols.Find(type, known.TypedConsumerSchema);
        var attribute = plain ?? typed;
        if (attribute is null)
        {
            ReportOrphans(context, type, known);
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
        CheckDuplicate(context, type, name, catalog, attribute, token);
        CheckSqlFields(context, type, known, name, attribute, token);

        var consumes = KnownSymbols.Find(type, known.Consumes);
        if (plain is not null && typed is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConsumedSchemaNotNamed,
                typed.Location(token),
                "Consumer schema '" + name + "' has both [ConsumerSchema] and [ConsumerSchema<T>]; keep one"));
            return;
        }

        if (typed is not null && consumes is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConsumedSchemaNotNamed,
                consumes.Location(token),
                "Consumer schema '" + name + "' names its public schema twice, with ConsumerSchema<T> and [Consumes]; remove [Consumes]"));
            return;
        }

        if (typed is null && consumes is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConsumedSchemaNotNamed,
                attribute.Location(token),
                "Consumer schema '" + name + "' does not name the public schema it consumes; add [Consumes(\"<manifest slug>\", \"<public schema>\", Major = 1)] or use ConsumerSchema<TContract>"));
            return;
        }

        if (consumes is not null && KnownSymbols.HasErrors(consumes))
        {
            return;
        }

        var contract = typed is not null
            ? ResolveTyped(context, typed, catalog, token)
            : ResolveConsumes(context, consumes!, catalog, token);
        if (contract is null)
        {
            return;
        }

        var fields = Contract.Fields(contract.Type, known);
        foreach (var source in SqlSource.Collect(type, known, context.Compilation, token))
        {
            CheckPlaceholders(context, source, contract, fields, token);
        }
    }

    private static void ReportOrphans(SymbolAnalysisContext context, INamedTypeSymbol type, KnownSymbols known)
    {
        if (KnownSymbols.Find(type, known.Consumes) is { } consumes)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.OrphanAttribute, consumes.Location(context.CancellationToken), "Consumes", type.Name, "ConsumerSchema"));
        }

        foreach (var member in type.GetMembers())
        {
            if (member is not IFieldSymbol field)
            {
                continue;
            }

            var kind = KnownSymbols.Find(field, known.UpsertSql) is not null ? "UpsertSql"
                : KnownSymbols.Find(field, known.DeleteSql) is not null ? "DeleteSql"
                : null;
            if (kind is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.OrphanAttribute, field.Locations.Length > 0 ? field.Locations[0] : Location.None, kind, type.Name, "ConsumerSchema"));
            }
        }
    }

    private static void CheckAttribute(SymbolAnalysisContext context, AttributeData attribute, string name, CancellationToken token)
    {
        if (!Naming.IsValidSchemaName(name))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, attribute.ArgumentLocation(0, "name", token), "Consumer schema name", name, Naming.SchemaNameRule));
        }

        var destination = attribute.NamedString("Destination");
        if (string.IsNullOrWhiteSpace(destination))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.MissingDataStore, attribute.NamedLocation("Destination", token), "Consumer schema", name, "Destination"));
        }
        else if (!Naming.IsValidDataStoreSlug(destination))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, attribute.NamedLocation("Destination", token), "Destination data store slug", destination, Naming.DataStoreSlugRule));
        }
    }

    private static void CheckDuplicate(SymbolAnalysisContext context, INamedTypeSymbol type, string name, SchemaCatalog catalog, AttributeData attribute, CancellationToken token)
    {
        foreach (var other in catalog.OwnConsumerSchemas)
        {
            if (other.Name == name && !SymbolEqualityComparer.Default.Equals(other.Type, type))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateConsumerSchema, attribute.ArgumentLocation(0, "name", token), name, other.Type.ToDisplayString()));
                return;
            }
        }
    }

    private static void CheckSqlFields(SymbolAnalysisContext context, INamedTypeSymbol type, KnownSymbols known, string name, AttributeData attribute, CancellationToken token)
    {
        var upserts = 0;
        var deletes = 0;
        foreach (var member in type.GetMembers())
        {
            if (member is not IFieldSymbol field)
            {
                continue;
            }

            var kind = KnownSymbols.Find(field, known.UpsertSql) is not null ? "UpsertSql"
                : KnownSymbols.Find(field, known.DeleteSql) is not null ? "DeleteSql"
                : null;
            if (kind is null)
            {
                continue;
            }

            var location = field.Locations.Length > 0 ? field.Locations[0] : Location.None;
            if (!field.IsConst || field.Type.SpecialType != SpecialType.System_String)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SqlFieldNotConstant, location, kind, field.Name));
            }

            var count = kind == "UpsertSql" ? ++upserts : ++deletes;
            if (count == 2)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateSqlField, location, name, kind));
            }
        }

        if (upserts == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingUpsertSql, attribute.Location(token), name));
        }
    }

    private static PublicSchemaEntry? ResolveTyped(SymbolAnalysisContext context, AttributeData typed, SchemaCatalog catalog, CancellationToken token)
    {
        if (typed.AttributeClass is not { TypeArguments: { Length: 1 } arguments } || arguments[0] is not INamedTypeSymbol { TypeKind: not TypeKind.Error } contractType)
        {
            return null;
        }

        var entry = catalog.EntryOf(contractType);
        if (entry is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnknownPublicSchema,
                typed.Location(token),
                "Type '" + contractType.ToDisplayString() + "' is not a public schema; mark it [PublicSchema] or consume a type that is"));
        }

        return entry;
    }

    private static PublicSchemaEntry? ResolveConsumes(SymbolAnalysisContext context, AttributeData consumes, SchemaCatalog catalog, CancellationToken token)
    {
        var slug = consumes.StringArgument(0) ?? "";
        var schemaName = consumes.StringArgument(1) ?? "";
        var major = consumes.NamedInt("Major", 1);
        var valid = true;
        if (!Naming.IsValidManifestSlug(slug))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, consumes.ArgumentLocation(0, "manifestSlug", token), "Manifest slug", slug, Naming.ManifestSlugRule));
            valid = false;
        }

        if (!Naming.IsValidSchemaName(schemaName))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, consumes.ArgumentLocation(1, "publicSchema", token), "Public schema name", schemaName, Naming.SchemaNameRule));
            valid = false;
        }

        if (major < 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NegativeVersion, consumes.NamedLocation("Major", token), "Major", major));
            valid = false;
        }

        if (!valid)
        {
            return null;
        }

        var schemas = catalog.SchemasOfManifest(slug);
        if (schemas is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PublicSchemaNotVisible, consumes.ArgumentLocation(0, "manifestSlug", token), slug, schemaName));
            return null;
        }

        var named = schemas.Where(s => s.Name == schemaName).ToList();
        if (named.Count == 0)
        {
            var available = schemas.Select(s => s.Name).Distinct().OrderBy(s => s, System.StringComparer.Ordinal).ToList();
            var suggestion = Naming.Suggest(schemaName, available);
            var message = "Manifest '" + slug + "' has no public schema '" + schemaName + "'"
                + (suggestion is not null ? "; did you mean '" + suggestion + "'?" : available.Count > 0 ? " (available: " + string.Join(", ", available) + ")" : " (it declares none)");
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnknownPublicSchema, consumes.ArgumentLocation(1, "publicSchema", token), message));
            return null;
        }

        // The latest minor of the major is the contract a consumer sees.
        var match = named.Where(s => s.Major == major).OrderByDescending(s => s.Minor).FirstOrDefault();
        if (match is null)
        {
            var majors = string.Join(", ", named.Select(s => s.Major).Distinct().OrderBy(m => m));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnknownMajorVersion, consumes.NamedLocation("Major", token), schemaName, slug, major, majors));
        }

        return match;
    }

    private static void CheckPlaceholders(SymbolAnalysisContext context, SqlSource source, PublicSchemaEntry contract, List<ContractField> fields, CancellationToken token)
    {
        var analysis = SqlPlaceholders.Analyze(source.Sql);
        var fieldNames = fields.Select(f => f.JsonName).ToList();
        var keyNames = fields.Where(f => f.IsKey).Select(f => f.JsonName).ToList();
        foreach (var placeholder in analysis.Placeholders)
        {
            if (placeholder.Name is not { } placeholderName)
            {
                continue;
            }

            var location = source.GetLocation(placeholder.NameStart, placeholder.Length - 1, token);
            if (!fieldNames.Contains(placeholderName))
            {
                var candidates = source.IsDelete && keyNames.Count > 0 ? keyNames : fieldNames;
                var suggestion = Naming.Suggest(placeholderName, candidates);
                var properties = suggestion is null
                    ? ImmutableDictionary<string, string?>.Empty
                    : ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.ReplacementProperty, suggestion);
                var hint = suggestion is not null ? "; did you mean ':" + suggestion + "'?" : " (fields: " + string.Join(", ", fieldNames) + ")";
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnknownPlaceholder, location, properties, placeholderName, contract.Name, hint));
            }
            else if (source.IsDelete && !keyNames.Contains(placeholderName))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DeleteUsesNonKeyField,
                    location,
                    placeholderName,
                    contract.Name,
                    keyNames.Count == 0 ? "it declares no [Key] field" : string.Join(", ", keyNames)));
            }
        }
    }
}
