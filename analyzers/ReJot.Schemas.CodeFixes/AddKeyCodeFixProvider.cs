using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using ReJot.Schemas.Analyzers.Diagnostics;

namespace ReJot.Schemas.CodeFixes;

/// <summary>RJ0017: marks a property of the public schema with [Key], one action per candidate (id-like names first).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddKeyCodeFixProvider))]
[Shared]
public sealed class AddKeyCodeFixProvider : CodeFixProvider
{
    // More candidates than this would make the light-bulb menu useless.
    private const int MaxCandidates = 4;

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.DeleteWithoutKey.Id);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var type = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type is null)
            {
                continue;
            }

            foreach (var (name, node) in Candidates(type).Take(MaxCandidates))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        "Mark '" + name + "' with [Key]",
                        token => AddKeyAsync(context.Document, node, token),
                        equivalenceKey: nameof(AddKeyCodeFixProvider) + "." + name),
                    diagnostic);
            }
        }
    }

    private static IEnumerable<(string Name, SyntaxNode Node)> Candidates(TypeDeclarationSyntax type)
    {
        var all = new List<(string Name, SyntaxNode Node)>();
        if (type.ParameterList is { } parameters)
        {
            foreach (var parameter in parameters.Parameters)
            {
                all.Add((parameter.Identifier.ValueText, parameter));
            }
        }

        foreach (var property in type.Members.OfType<PropertyDeclarationSyntax>())
        {
            if (property.Modifiers.Any(SyntaxKind.PublicKeyword) && !property.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                all.Add((property.Identifier.ValueText, property));
            }
        }

        var typeName = type.Identifier.ValueText;
        return all.OrderBy(c => c.Name == "Id" || c.Name == typeName + "Id" ? 0 : c.Name.EndsWith("Id", System.StringComparison.Ordinal) ? 1 : 2);
    }

    private static async Task<Document> AddKeyAsync(Document document, SyntaxNode node, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::ReJot.Schemas.Key").WithAdditionalAnnotations(Simplifier.Annotation));
        SyntaxNode updated = node switch
        {
            ParameterSyntax parameter => parameter.AddAttributeLists(
                SyntaxFactory.AttributeList(
                    SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.PropertyKeyword)),
                    SyntaxFactory.SingletonSeparatedList(attribute))),
            // The property's leading trivia (blank lines, indentation, comments) moves to the new attribute.
            PropertyDeclarationSyntax property => property.WithoutLeadingTrivia().AddAttributeLists(
                SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
                    .WithLeadingTrivia(property.GetLeadingTrivia())),
            _ => node,
        };

        return document.WithSyntaxRoot(root.ReplaceNode(node, updated.WithAdditionalAnnotations(Formatter.Annotation)));
    }
}
