using System.Threading;
using Microsoft.CodeAnalysis;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>Turns a type marked <c>[ConsumerSchema]</c> or <c>[ConsumerSchema&lt;T&gt;]</c> into a <see cref="ConsumerSchemaSpec"/>; null for input the analyzers reject.</summary>
internal static class ConsumerSchemaParser
{
    public static ConsumerSchemaSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length != 1)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Parse(type, context.Attributes[0], context.SemanticModel.Compilation.Assembly, LocationInfo.From(context.TargetNode));
    }

    public static ConsumerSchemaSpec? Parse(INamedTypeSymbol type, AttributeData attribute, IAssemblySymbol currentAssembly, LocationInfo? location)
    {
        var name = attribute.StringArgument(0);
        var destination = attribute.NamedArgument<string>("Destination");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(destination))
        {
            return null;
        }

        var reference = attribute.AttributeClass is { IsGenericType: true } generic
            ? TypedReference(generic, currentAssembly)
            : NamedReference(type);
        if (reference is null)
        {
            return null;
        }

        string? upsert = null;
        string? delete = null;
        foreach (var member in type.GetMembers())
        {
            if (member is not IFieldSymbol field)
            {
                continue;
            }

            foreach (var fieldAttribute in field.GetAttributes())
            {
                var isUpsert = fieldAttribute.Is(TypeNames.UpsertSqlAttribute);
                var isDelete = fieldAttribute.Is(TypeNames.DeleteSqlAttribute);
                if (!isUpsert && !isDelete)
                {
                    continue;
                }

                // Only constants have a value at compile time; two fields for the same role is ambiguous.
                if (!field.HasConstantValue || field.ConstantValue is not string sql || string.IsNullOrWhiteSpace(sql)
                    || (isUpsert && upsert is not null) || (isDelete && delete is not null))
                {
                    return null;
                }

                if (isUpsert)
                {
                    upsert = sql;
                }
                else
                {
                    delete = sql;
                }
            }
        }

        if (upsert is null)
        {
            return null;
        }

        var (slug, publicSchema, major) = reference.Value;
        return new ConsumerSchemaSpec(name!, destination!, slug, publicSchema, major, upsert, delete, location);
    }

    private static (string? Slug, string Name, int Major)? NamedReference(INamedTypeSymbol type)
    {
        var consumes = type.Find(TypeNames.ConsumesAttribute);
        if (consumes is null)
        {
            return null;
        }

        var slug = consumes.StringArgument(0);
        var name = consumes.StringArgument(1);
        var major = consumes.HasNamedArgument("Major") ? consumes.NamedArgument<int>("Major") : 1;
        if (string.IsNullOrWhiteSpace(slug) || string.IsNullOrWhiteSpace(name) || major < 0)
        {
            return null;
        }

        return (slug, name!, major);
    }

    private static (string? Slug, string Name, int Major)? TypedReference(INamedTypeSymbol attributeClass, IAssemblySymbol currentAssembly)
    {
        if (attributeClass.TypeArguments.Length != 1 || attributeClass.TypeArguments[0] is not INamedTypeSymbol contract)
        {
            return null;
        }

        var publicSchema = contract.Find(TypeNames.PublicSchemaAttribute);
        var name = publicSchema?.StringArgument(0);
        if (publicSchema is null || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var major = publicSchema.HasNamedArgument("Major") ? publicSchema.NamedArgument<int>("Major") : 1;

        // A contract of this compilation belongs to this compilation's manifest, whatever its slug turns out to be.
        if (SymbolEqualityComparer.Default.Equals(contract.ContainingAssembly, currentAssembly))
        {
            return (null, name!, major);
        }

        return (ManifestSlugOf(contract.ContainingAssembly), name!, major);
    }

    /// <summary>
    /// The manifest slug of a referenced assembly: its <c>[assembly: ReJotManifest]</c> (the generator writes one
    /// into every assembly with schemas), else its name in kebab-case.
    /// </summary>
    public static string ManifestSlugOf(IAssemblySymbol assembly)
        => assembly.Find(TypeNames.ReJotManifestAttribute)?.StringArgument(0) is { Length: > 0 } slug
            ? slug
            : Naming.ToKebabCase(assembly.Name);
}
