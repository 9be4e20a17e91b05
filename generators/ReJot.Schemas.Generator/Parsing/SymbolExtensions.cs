using Microsoft.CodeAnalysis;

namespace ReJot.Schemas.Generator.Parsing;

internal static class SymbolExtensions
{
    /// <summary>Whether the attribute's class has this metadata name (compared without allocating a display string).</summary>
    public static bool Is(this AttributeData attribute, string metadataName)
        => attribute.AttributeClass is { } type && HasMetadataName(type.OriginalDefinition, metadataName);

    public static AttributeData? Find(this ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.Is(metadataName))
            {
                return attribute;
            }
        }

        return null;
    }

    public static bool HasMetadataName(this ITypeSymbol type, string metadataName)
    {
        // Compare from the end: "Name`1" then each containing namespace.
        var end = metadataName.Length;
        var dot = metadataName.LastIndexOf('.');
        var name = metadataName.Substring(dot + 1, end - dot - 1);
        if (!string.Equals(type.MetadataName, name, System.StringComparison.Ordinal) || type.ContainingType is not null)
        {
            return false;
        }

        var ns = type.ContainingNamespace;
        end = dot;
        while (ns is { IsGlobalNamespace: false })
        {
            if (end < 0)
            {
                return false;
            }

            dot = metadataName.LastIndexOf('.', end - 1);
            var part = metadataName.Substring(dot + 1, end - dot - 1);
            if (!string.Equals(ns.Name, part, System.StringComparison.Ordinal))
            {
                return false;
            }

            end = dot;
            ns = ns.ContainingNamespace;
        }

        return end < 0;
    }

    public static string? StringArgument(this AttributeData attribute, int index)
        => attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Kind != TypedConstantKind.Error
            ? attribute.ConstructorArguments[index].Value as string
            : null;

    public static T? NamedArgument<T>(this AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name && pair.Value.Kind != TypedConstantKind.Error && pair.Value.Value is T value)
            {
                return value;
            }
        }

        return default;
    }

    public static bool HasNamedArgument(this AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name)
            {
                return true;
            }
        }

        return false;
    }
}
