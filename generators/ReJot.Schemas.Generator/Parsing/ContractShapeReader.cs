using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>
/// Maps a C# type to the JSON shape of its contract, the way System.Text.Json writes it: public instance
/// properties, camelCase names unless <c>[JsonPropertyName]</c>, <c>[JsonIgnore]</c> skipped.
/// </summary>
/// <remarks>
/// Decisions (see README, "C# types in contracts"): nullable types are optional and nullable, everything
/// else is required; integers are <c>integer</c>; float, double and decimal are <c>number</c>; enums are
/// strings of their member names (the values come from SQL text columns, not from C# serialization);
/// Guid is <c>uuid</c>, DateTime/DateTimeOffset <c>date-time</c>, DateOnly <c>date</c>, TimeOnly <c>time</c>;
/// collections are arrays; <c>Dictionary&lt;string, T&gt;</c> is an object of T; nested types are inline
/// objects with <c>additionalProperties: false</c>. Anything else (and recursive types) is not representable:
/// the reader returns null and the analyzers explain why.
/// </remarks>
internal static class ContractShapeReader
{
    private static readonly EquatableArray<string> s_noEnum = EquatableArray<string>.Empty;
    private static readonly EquatableArray<ContractField> s_noFields = EquatableArray<ContractField>.Empty;

    /// <summary>Reads the contract object of a public schema type, or null when a field cannot be represented.</summary>
    public static ContractShape? ReadContract(INamedTypeSymbol type, CancellationToken cancellationToken)
        => ReadObject(type, nullable: false, new Stack<ITypeSymbol>(), cancellationToken);

    /// <summary>The contract properties of a type in JSON order (base type first), with their JSON names.</summary>
    public static IEnumerable<(IPropertySymbol Property, string JsonName)> ContractProperties(INamedTypeSymbol type)
    {
        var chain = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object
                 && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            chain.Add(current);
        }

        chain.Reverse();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
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
                    || IsIgnored(property)
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                yield return (property, JsonName(property));
            }
        }
    }

    /// <summary>The JSON name of a contract property.</summary>
    public static string JsonName(IPropertySymbol property)
    {
        var attribute = property.Find(TypeNames.JsonPropertyNameAttribute);
        return attribute?.StringArgument(0) is { Length: > 0 } name ? name : Naming.ToCamelCase(property.Name);
    }

    private static bool IsIgnored(IPropertySymbol property)
    {
        var attribute = property.Find(TypeNames.JsonIgnoreAttribute);
        if (attribute is null)
        {
            return false;
        }

        // JsonIgnoreCondition.Always is 1 and the default; the conditional forms keep the property.
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == "Condition" && pair.Value.Value is int condition)
            {
                return condition == 1;
            }
        }

        return true;
    }

    private static ContractShape? ReadObject(INamedTypeSymbol type, bool nullable, Stack<ITypeSymbol> path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var visiting in path)
        {
            if (SymbolEqualityComparer.Default.Equals(visiting, type))
            {
                return null;
            }
        }

        path.Push(type);
        var fields = ImmutableArray.CreateBuilder<ContractField>();
        foreach (var (property, jsonName) in ContractProperties(type))
        {
            var shape = Read(property.Type, property.NullableAnnotation, path, cancellationToken);
            if (shape is null)
            {
                path.Pop();
                return null;
            }

            var isKey = property.Find(TypeNames.KeyAttribute) is not null;
            fields.Add(new ContractField(property.Name, jsonName, shape, Required: !shape.Nullable, isKey));
        }

        path.Pop();
        return new ContractShape(ShapeKind.Object, nullable, "", s_noEnum, null, new EquatableArray<ContractField>(fields.ToImmutable()));
    }

    private static ContractShape? Read(ITypeSymbol type, NullableAnnotation annotation, Stack<ITypeSymbol> path, CancellationToken cancellationToken)
    {
        var nullable = annotation == NullableAnnotation.Annotated;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } wrapper)
        {
            type = wrapper.TypeArguments[0];
            nullable = true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String:
            case SpecialType.System_Char:
                return Scalar(ShapeKind.String, nullable);
            case SpecialType.System_Boolean:
                return Scalar(ShapeKind.Boolean, nullable);
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
                return Scalar(ShapeKind.Integer, nullable);
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
                return Scalar(ShapeKind.Number, nullable);
            case SpecialType.System_Object:
                return Scalar(ShapeKind.Any, nullable: true);
            case SpecialType.System_DateTime:
                return Scalar(ShapeKind.String, nullable, "date-time");
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank != 1)
            {
                return null;
            }

            if (array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                // System.Text.Json writes byte[] as a base64 string.
                return Scalar(ShapeKind.String, nullable);
            }

            var items = Read(array.ElementType, array.ElementNullableAnnotation, path, cancellationToken);
            return items is null ? null : new ContractShape(ShapeKind.Array, nullable, "", s_noEnum, items, s_noFields);
        }

        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return new ContractShape(ShapeKind.String, nullable, "", EnumValues(named), null, s_noFields);
        }

        switch (WellKnownName(named))
        {
            case "System.Guid":
                return Scalar(ShapeKind.String, nullable, "uuid");
            case "System.DateTimeOffset":
                return Scalar(ShapeKind.String, nullable, "date-time");
            case "System.DateOnly":
                return Scalar(ShapeKind.String, nullable, "date");
            case "System.TimeOnly":
                return Scalar(ShapeKind.String, nullable, "time");
            case "System.TimeSpan":
                return Scalar(ShapeKind.String, nullable);
            case "System.Uri":
                return Scalar(ShapeKind.String, nullable, "uri");
            case "System.Int128":
            case "System.UInt128":
                return Scalar(ShapeKind.Integer, nullable);
            case "System.Half":
                return Scalar(ShapeKind.Number, nullable);
            case "System.Text.Json.JsonElement":
            case "System.Text.Json.Nodes.JsonNode":
                return Scalar(ShapeKind.Any, nullable: true);
        }

        if (DictionaryValue(named) is { } valueType)
        {
            var values = Read(valueType.Type, valueType.Annotation, path, cancellationToken);
            return values is null ? null : new ContractShape(ShapeKind.Map, nullable, "", s_noEnum, values, s_noFields);
        }

        if (ElementType(named) is { } elementType)
        {
            var items = Read(elementType.Type, elementType.Annotation, path, cancellationToken);
            return items is null ? null : new ContractShape(ShapeKind.Array, nullable, "", s_noEnum, items, s_noFields);
        }

        if ((named.TypeKind == TypeKind.Class || named.TypeKind == TypeKind.Struct)
            && !named.IsAbstract
            && !named.IsGenericType
            && named.SpecialType == SpecialType.None
            && named.TypeKind != TypeKind.Delegate
            && !IsFrameworkType(named))
        {
            return ReadObject(named, nullable, path, cancellationToken);
        }

        return null;
    }

    private static ContractShape Scalar(ShapeKind kind, bool nullable, string format = "")
        => new(kind, nullable, format, s_noEnum, null, s_noFields);

    private static EquatableArray<string> EnumValues(INamedTypeSymbol type)
    {
        var values = ImmutableArray.CreateBuilder<string>();
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol { HasConstantValue: true, IsStatic: true } field)
            {
                var renamed = field.Find(TypeNames.JsonStringEnumMemberNameAttribute)?.StringArgument(0);
                values.Add(renamed ?? field.Name);
            }
        }

        return new EquatableArray<string>(values.ToImmutable());
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

    private static (ITypeSymbol Type, NullableAnnotation Annotation)? DictionaryValue(INamedTypeSymbol type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            var definition = candidate.OriginalDefinition;
            if ((definition.HasMetadataName("System.Collections.Generic.IDictionary`2")
                 || definition.HasMetadataName("System.Collections.Generic.IReadOnlyDictionary`2"))
                && candidate.TypeArguments[0].SpecialType == SpecialType.System_String)
            {
                return (candidate.TypeArguments[1], candidate.TypeArgumentNullableAnnotations[1]);
            }
        }

        return null;
    }

    private static (ITypeSymbol Type, NullableAnnotation Annotation)? ElementType(INamedTypeSymbol type)
    {
        foreach (var candidate in SelfAndInterfaces(type))
        {
            if (candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
            {
                return (candidate.TypeArguments[0], candidate.TypeArgumentNullableAnnotations[0]);
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
