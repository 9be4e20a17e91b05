using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using ReJot.Schemas.Analyzers.Diagnostics;

namespace ReJot.Schemas.CodeFixes;

/// <summary>RJ0006: renames a placeholder to the contract field the analyzer suggests.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RenamePlaceholderCodeFixProvider))]
[Shared]
public sealed class RenamePlaceholderCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.UnknownPlaceholder.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            // Only diagnostics with a close match carry a suggestion.
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ReplacementProperty, out var field) || field is null)
            {
                continue;
            }

            var span = diagnostic.Location.SourceSpan;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Use field ':" + field + "'",
                    token => SqlTextEdits.ReplaceAsync(context.Document, span, field, token),
                    equivalenceKey: nameof(RenamePlaceholderCodeFixProvider) + "." + field),
                diagnostic);
        }

        return Task.CompletedTask;
    }
}
