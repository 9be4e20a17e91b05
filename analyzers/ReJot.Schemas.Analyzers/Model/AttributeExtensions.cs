using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>Reads attribute values and finds the syntax of individual arguments for precise locations.</summary>
internal static class AttributeExtensions
{
    public static string? StringArgument(this AttributeData attribute, int index)
        => attribute.ConstructorArguments.Length > index ? attribute.ConstructorArguments[index].Value as string : null;

    public static bool TryGetNamed(this AttributeData attribute, string name, out TypedConstant value)
    {
        foreach (var pair in attribute.NamedArguments)
        {
            if (pair.Key == name)
            {
                value = pair.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string NamedString(this AttributeData attribute, string name)
        => attribute.TryGetNamed(name, out var value) && value.Value is string text ? text : "";

    public static int NamedInt(this AttributeData attribute, string name, int defaultValue)
        => attribute.TryGetNamed(name, out var value) && value.Value is int number ? number : defaultValue;

    public static AttributeSyntax? Syntax(this AttributeData attribute, CancellationToken cancellationToken)
        => attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

    /// <summary>The location of the whole attribute (falls back to nothing when it comes from metadata).</summary>
    public static Location Location(this AttributeData attribute, CancellationToken cancellationToken)
        => attribute.Syntax(cancellationToken)?.GetLocation() ?? Microsoft.CodeAnalysis.Location.None;

    /// <summary>The expression of the constructor argument bound to parameter <paramref name="index"/> (named <paramref name="parameterName"/>).</summary>
    public static ExpressionSyntax? ConstructorArgumentSyntax(this AttributeData attribute, int index, string parameterName, CancellationToken cancellationToken)
    {
        var arguments = attribute.Syntax(cancellationToken)?.ArgumentList?.Arguments;
        if (arguments is null)
        {
            return null;
        }

        var position = 0;
        foreach (var argument in arguments.Value)
        {
            if (argument.NameEquals is not null)
            {
                continue;
            }

            if (argument.NameColon is { } nameColon)
            {
                if (nameColon.Name.Identifier.ValueText == parameterName)
                {
                    return argument.Expression;
                }

                continue;
            }

            if (position++ == index)
            {
                return argument.Expression;
            }
        }

        return null;
    }

    /// <summary>The expression of the named argument <c>Name = value</c>.</summary>
    public static ExpressionSyntax? NamedArgumentSyntax(this AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        var arguments = attribute.Syntax(cancellationToken)?.ArgumentList?.Arguments;
        if (arguments is null)
        {
            return null;
        }

        foreach (var argument in arguments.Value)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument.Expression;
            }
        }

        return null;
    }

    /// <summary>The location of a constructor argument, else of the attribute.</summary>
    public static Location ArgumentLocation(this AttributeData attribute, int index, string parameterName, CancellationToken cancellationToken)
        => attribute.ConstructorArgumentSyntax(index, parameterName, cancellationToken)?.GetLocation() ?? attribute.Location(cancellationToken);

    /// <summary>The location of a named argument, else of the attribute.</summary>
    public static Location NamedLocation(this AttributeData attribute, string name, CancellationToken cancellationToken)
        => attribute.NamedArgumentSyntax(name, cancellationToken)?.GetLocation() ?? attribute.Location(cancellationToken);
}
