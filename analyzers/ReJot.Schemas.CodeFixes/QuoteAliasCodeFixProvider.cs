using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using ReJot.Schemas.Analyzers.Diagnostics;

namespace ReJot.Schemas.CodeFixes;

/// <summary>RJ0005: quotes an unquoted mixed-case alias so PostgreSQL keeps its case.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(QuoteAliasCodeFixProvider))]
[Shared]
public sealed class QuoteAliasCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MixedCaseAlias.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticDescriptors.ReplacementProperty, out var quoted) || quoted is null)
            {
                continue;
            }

            var span = diagnostic.Location.SourceSpan;
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Quote the alias as " + quoted,
                    token => SqlTextEdits.ReplaceAsync(context.Document, span, quoted, token),
                    equivalenceKey: nameof(QuoteAliasCodeFixProvider)),
                diagnostic);
        }

        return Task.CompletedTask;
    }
}
