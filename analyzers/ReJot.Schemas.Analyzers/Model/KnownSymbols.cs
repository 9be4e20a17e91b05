using Microsoft.CodeAnalysis;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>The ReJot attribute types of one compilation, resolved once.</summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        PublicSchema = compilation.GetTypeByMetadataName(TypeNames.PublicSchemaAttribute);
        Transformation = compilation.GetTypeByMetadataName(TypeNames.TransformationAttribute);
        Key = compilation.GetTypeByMetadataName(TypeNames.KeyAttribute);
        ConsumerSchema = compilation.GetTypeByMetadataName(TypeNames.ConsumerSchemaAttribute);
        TypedConsumerSchema = compilation.GetTypeByMetadataName(TypeNames.TypedConsumerSchemaAttribute);
        Consumes = compilation.GetTypeByMetadataName(TypeNames.ConsumesAttribute);
        UpsertSql = compilation.GetTypeByMetadataName(TypeNames.UpsertSqlAttribute);
        DeleteSql = compilation.GetTypeByMetadataName(TypeNames.DeleteSqlAttribute);
        ReJotManifest = compilation.GetTypeByMetadataName(TypeNames.ReJotManifestAttribute);
        JsonPropertyName = compilation.GetTypeByMetadataName(TypeNames.JsonPropertyNameAttribute);
        JsonIgnore = compilation.GetTypeByMetadataName(TypeNames.JsonIgnoreAttribute);
    }

    public INamedTypeSymbol? PublicSchema { get; }

    public INamedTypeSymbol? Transformation { get; }

    public INamedTypeSymbol? Key { get; }

    public INamedTypeSymbol? ConsumerSchema { get; }

    public INamedTypeSymbol? TypedConsumerSchema { get; }

    public INamedTypeSymbol? Consumes { get; }

    public INamedTypeSymbol? UpsertSql { get; }

    public INamedTypeSymbol? DeleteSql { get; }

    public INamedTypeSymbol? ReJotManifest { get; }

    public INamedTypeSymbol? JsonPropertyName { get; }

    public INamedTypeSymbol? JsonIgnore { get; }

    /// <summary>The symbols, or null when the compilation does not reference ReJot.Schemas (nothing to analyze).</summary>
    public static KnownSymbols? Create(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.PublicSchema is null && symbols.ConsumerSchema is null ? null : symbols;
    }

    /// <summary>True when <paramref name="attribute"/> is an application of <paramref name="type"/> (generic or not).</summary>
    public static bool Is(AttributeData attribute, INamedTypeSymbol? type)
        => type is not null && attribute.AttributeClass is { } applied
           && SymbolEqualityComparer.Default.Equals(applied.OriginalDefinition, type);

    /// <summary>True when the compiler could not bind the attribute (the user is typing): the compiler reports it, we skip it.</summary>
    public static bool HasErrors(AttributeData attribute)
    {
        if (attribute.AttributeConstructor is null)
        {
            return true;
        }

        foreach (var argument in attribute.ConstructorArguments)
        {
            if (argument.Kind == TypedConstantKind.Error)
            {
                return true;
            }
        }

        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Value.Kind == TypedConstantKind.Error)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first application of <paramref name="type"/> on <paramref name="symbol"/>.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            if (Is(attribute, type))
            {
                return attribute;
            }
        }

        return null;
    }
}
