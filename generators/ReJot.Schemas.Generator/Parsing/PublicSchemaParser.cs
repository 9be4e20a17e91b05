using System.Collections.Immutable;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>Turns a type marked <c>[PublicSchema]</c> into a <see cref="PublicSchemaSpec"/>; null for input the analyzers reject.</summary>
internal static class PublicSchemaParser
{
    /// <summary>The name of the generated constant that holds the contract's JSON Schema.</summary>
    public const string JsonSchemaMemberName = "JsonSchema";

    public static PublicSchemaSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length != 1)
        {
            return null;
        }

        return Parse(type, context.Attributes[0], LocationInfo.From(context.TargetNode), cancellationToken);
    }

    public static PublicSchemaSpec? Parse(INamedTypeSymbol type, AttributeData attribute, LocationInfo? location, CancellationToken cancellationToken)
    {
        if (IsGeneric(type))
        {
            return null;
        }

        var name = attribute.StringArgument(0);
        var source = attribute.NamedArgument<string>("Source");
        var major = attribute.HasNamedArgument("Major") ? attribute.NamedArgument<int>("Major") : 1;
        var minor = attribute.NamedArgument<int>("Minor");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(source) || major < 0 || minor < 0)
        {
            return null;
        }

        var transformations = ImmutableArray.CreateBuilder<TransformationSpec>();
        foreach (var candidate in type.GetAttributes())
        {
            if (!candidate.Is(TypeNames.TransformationAttribute) || candidate.ConstructorArguments.Length != 3)
            {
                continue;
            }

            var operation = candidate.ConstructorArguments[0].Value;
            var table = candidate.StringArgument(1);
            var sql = candidate.StringArgument(2);
            if (operation is not int value || value < 0 || value > 3 || string.IsNullOrWhiteSpace(table) || string.IsNullOrWhiteSpace(sql))
            {
                return null;
            }

            transformations.Add(new TransformationSpec((TransformationOperation)value, table!, sql!));
        }

        var contract = ContractShapeReader.ReadContract(type, cancellationToken);
        if (contract is null)
        {
            return null;
        }

        return new PublicSchemaSpec(
            name!,
            source!,
            major,
            minor,
            new EquatableArray<TransformationSpec>(transformations.ToImmutable()),
            contract,
            PartialTypeOf(type, cancellationToken),
            location);
    }

    private static bool IsGeneric(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The declarations to reopen the type with, or null when it (or a container) is not partial.</summary>
    private static PartialTypeSpec? PartialTypeOf(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!type.GetMembers(JsonSchemaMemberName).IsEmpty)
        {
            return null;
        }

        var declarations = ImmutableArray.CreateBuilder<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var declaration = PartialDeclaration(current, cancellationToken);
            if (declaration is null)
            {
                return null;
            }

            declarations.Insert(0, declaration);
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : "";
        var hint = new StringBuilder();
        foreach (var c in type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", ""))
        {
            hint.Append(char.IsLetterOrDigit(c) || c == '.' ? c : '_');
        }

        hint.Append(".JsonSchema.g.cs");
        return new PartialTypeSpec(ns, new EquatableArray<string>(declarations.ToImmutable()), hint.ToString());
    }

    private static string? PartialDeclaration(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax syntax || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                continue;
            }

            var keyword = syntax switch
            {
                RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
                RecordDeclarationSyntax => "record",
                StructDeclarationSyntax => "struct",
                ClassDeclarationSyntax => "class",
                _ => null,
            };
            if (keyword is null)
            {
                return null;
            }

            var modifiers = type.IsStatic ? "static partial " : "partial ";
            return modifiers + keyword + " " + type.Name;
        }

        return null;
    }
}
