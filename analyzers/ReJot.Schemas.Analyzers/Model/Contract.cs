using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>One field of a contract: a public instance property and its JSON name.</summary>
internal sealed class ContractField
{
    public ContractField(IPropertySymbol property, string jsonName, bool isKey, bool isOptional)
    {
        Property = property;
        JsonName = jsonName;
        IsKey = isKey;
        IsOptional = isOptional;
    }

    public IPropertySymbol Property { get; }

    public string JsonName { get; }

    public bool IsKey { get; }

    /// <summary>Nullable fields are optional in the contract: a transformation may leave them out.</summary>
    public bool IsOptional { get; }
}

/// <summary>Reads contract fields the way the generator does (System.Text.Json conventions).</summary>
internal static class Contract
{
    /// <summary>The contract fields of a public schema type, base type first.</summary>
    public static List<ContractField> Fields(INamedTypeSymbol type, KnownSymbols known)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object
                 && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            chain.Add(current);
        }

        chain.Reverse();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var fields = new List<ContractField>();
        foreach (var declaring in chain)
        {
            foreach (var member in declaring.GetMembers())
            {
                if (member is not IPropertySymbol property
                    || property.IsStatic
                    || property.IsIndexer
                    || property.DeclaredAccessibility != Accessibility.Public
                    || property.GetMethod is null
                    || property.GetMethod.DeclaredAccessibility != Accessibility.Public
                    || IsIgnored(property, known)
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                var renamed = KnownSymbols.Find(property, known.JsonPropertyName)?.StringArgument(0);
                var jsonName = renamed is { Length: > 0 } ? renamed : Naming.ToCamelCase(property.Name);
                var isKey = KnownSymbols.Find(property, known.Key) is not null;
                var isOptional = property.NullableAnnotation == NullableAnnotation.Annotated
                    || property.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
                fields.Add(new ContractField(property, jsonName, isKey, isOptional));
            }
        }

        return fields;
    }

    private static bool IsIgnored(IPropertySymbol property, KnownSymbols known)
    {
        var attribute = KnownSymbols.Find(property, known.JsonIgnore);
        if (attribute is null)
        {
            return false;
        }

        // JsonIgnoreCondition.Always (1) is the default; the conditional forms keep the property.
        return !attribute.TryGetNamed("Condition", out var condition) || condition.Value is not int value || value == 1;
    }

    /// <summary>
    /// Why a field type cannot be represented in the contract (a short reason, possibly empty), or null when it can.
    /// The rules are the generator's: see its ContractShapeReader.
    /// </summary>
    public static string? WhyNotRepresentable(ITypeSymbol type, KnownSymbols known)
        => Check(type, known, new Stack<ITypeSymbol>());

    private static string? Check(ITypeSymbol type, KnownSymbols known, Stack<ITypeSymbol> path)
    {
        // An unresolved type is the compiler's error to report, not ours.
        if (type.TypeKind == TypeKind.Error)
        {
            return null;
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
        {
            type = wrapper.TypeArguments[0];
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
            case SpecialType.System_Boolean:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_Object:
            case SpecialType.System_DateTime:
                return null;
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return " (native-sized integers have no portable JSON form)";
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                return " (only one-dimensional arrays are supported)";
            }

            return array.ElementType.SpecialType == SpecialType.System_Byte ? null : Check(array.ElementType, known, path);
        }

        if (type is not INamedTypeSymbol named)
        {
            return type.TypeKind == TypeKind.TypeParameter ? " (generic type parameters are not supported)" : "";
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return null;
        }

        switch (WellKnownName(named))
        {
            case "System.Guid":
            case "System.DateTimeOffset":
            case "System.DateOnly":
            case "System.TimeOnly":
            case "System.TimeSpan":
            case "System.Uri":
            case "System.Int128":
            case "System.UInt128":
            case "System.Half":
            case "System.Text.Json.JsonElement":
            case "System.Text.Json.Nodes.JsonNode":
                return null;
        }

        if (DictionaryValue(named, out var keyIsString) is { } valueType)
        {
            return keyIsString ? Check(valueType, known, path) : " (dictionary keys must be strings)";
        }

        if (ElementType(named) is { } elementType)
        {
            return Check(elementType, known, path);
        }

        if (named.TypeKind == TypeKind.Delegate)
        {
            return " (delegates are not data)";
        }

        if (named.TypeKind == TypeKind.Interface || named.IsAbstract)
        {
            return " (interfaces and abstract types have no fixed shape; use a concrete record)";
        }

        if (named.IsGenericType)
        {
            return " (generic types other than collections and dictionaries are not supported)";
        }

        if ((named.TypeKind != TypeKind.Class && named.TypeKind != TypeKind.Struct) || named.SpecialType != SpecialType.None || IsFrameworkType(named))
        {
            return "";
        }

        foreach (var visiting in path)
        {
            if (SymbolEqualityComparer.Default.Equals(visiting, named))
            {
                return " (recursive types have no finite JSON Schema)";
            }
        }

        path.Push(named);
        try
        {
            foreach (var field in Fields(named, known))
            {
                if (Check(field.Property.Type, known, path) is { } reason)
                {
                    return " (its field '" + field.Property.Name + "' of type '" + field.Property.Type.ToDisplayString() + "' is not representable" + reason + ")";
                }
            }
        }
        finally
        {
            path.Pop();
        }

        return null;
    }

    private static string WellKnownName(INamedTypeSymbol type)
        => type.ContainingNamespace is { } ns && !type.IsGenericType && type.ContainingType is null
            ? ns.ToDisplayString() + "." + type.Name
            : "";

    private static bool IsFrameworkType(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        return ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.", System.StringComparison.Ordinal);
    }

    private static ITypeSymbol? DictionaryValue(INamedTypeSymbol type, out bool keyIsString)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            var definition = candidate.OriginalDefinition.ToDisplayString();
            if (definition is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>")
            {
                keyIsString = candidate.TypeArguments[0].SpecialType == SpecialType.System_String;
                return candidate.TypeArguments[1];
            }
        }

        keyIsString = false;
        return null;
    }

    private static ITypeSymbol? ElementType(INamedTypeSymbol type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            if (candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
            {
                return candidate.TypeArguments[0];
            }
        }

        return null;
    }

    private static IEnumerable<INamedTypeSymbol> SelfAndInterfaces(INamedTypeSymbol type)
    {
        yield return type;
        foreach (var implemented in type.AllInterfaces)
        {
            yield return implemented;
        }
    }
}
