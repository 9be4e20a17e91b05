using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>
/// Reads the schemas of a built assembly (metadata) with the same parsers the generator uses on source,
/// for <c>rejot collect</c> on a .dll. There is no source, so entries carry no definition file.
/// </summary>
internal static class MetadataSchemaReader
{
    public static ManifestSpec Read(Compilation compilation, IAssemblySymbol assembly, CancellationToken cancellationToken)
    {
        var publicSchemas = ImmutableArray.CreateBuilder<PublicSchemaSpec>();
        var consumers = ImmutableArray.CreateBuilder<ConsumerSchemaSpec?>();
        foreach (var type in AllTypes(assembly.GlobalNamespace))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.Is(TypeNames.PublicSchemaAttribute) && PublicSchemaParser.Parse(type, attribute, null, cancellationToken) is { } schema)
                {
                    publicSchemas.Add(schema with { PartialType = null });
                }
                else if (attribute.Is(TypeNames.ConsumerSchemaAttribute) || attribute.Is(TypeNames.TypedConsumerSchemaAttribute))
                {
                    consumers.Add(ConsumerSchemaParser.Parse(type, attribute, assembly, null));
                }
            }
        }

        var explicitSlug = assembly.Find(TypeNames.ReJotManifestAttribute)?.StringArgument(0);
        var spec = new CompilationSpec(assembly.Name, string.IsNullOrWhiteSpace(explicitSlug) ? null : explicitSlug, CanRegister: false, HasModuleInitializerAttribute: true);
        return SchemaGenerator.BuildManifest(spec, null, publicSchemas.ToImmutable(), consumers.ToImmutable());
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns)
    {
        foreach (var member in ns.GetMembers())
        {
            if (member is INamespaceSymbol child)
            {
                foreach (var type in AllTypes(child))
                {
                    yield return type;
                }
            }
            else if (member is INamedTypeSymbol type)
            {
                foreach (var nested in SelfAndNested(type))
                {
                    yield return nested;
                }
            }
        }
    }

    private static IEnumerable<INamedTypeSymbol> SelfAndNested(INamedTypeSymbol type)
    {
        yield return type;
        foreach (var nested in type.GetTypeMembers())
        {
            foreach (var inner in SelfAndNested(nested))
            {
                yield return inner;
            }
        }
    }
}
