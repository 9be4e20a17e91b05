using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using ReJot.Schemas.Analyzers.Diagnostics;
using ReJot.Schemas.Analyzers.Model;

namespace ReJot.Schemas.Analyzers.Analyzers;

/// <summary>Checks the manifest slug given by <c>[assembly: ReJotManifest("...")]</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ManifestSlugAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.InvalidName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Without ReJot.Schemas there is no manifest attribute to check.
            if (KnownSymbols.Create(start.Compilation)?.ReJotManifest is not { } manifestAttribute)
            {
                return;
            }

            start.RegisterSyntaxNodeAction(node => AnalyzeAttribute(node, manifestAttribute), SyntaxKind.Attribute);
        });
    }

    private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, INamedTypeSymbol manifestAttribute)
    {
        var syntax = (AttributeSyntax)context.Node;

        // Only assembly-level attributes can name the manifest; skip the rest without binding them.
        if (syntax.Parent is not AttributeListSyntax { Target.Identifier.RawKind: (int)SyntaxKind.AssemblyKeyword }
            || syntax.ArgumentList is not { Arguments.Count: > 0 } arguments)
        {
            return;
        }

        if (context.SemanticModel.GetSymbolInfo(syntax, context.CancellationToken).Symbol?.ContainingType is not { } type
            || !SymbolEqualityComparer.Default.Equals(type, manifestAttribute))
        {
            return;
        }

        var expression = arguments.Arguments[0].Expression;
        if (context.SemanticModel.GetConstantValue(expression, context.CancellationToken).Value is string slug && !Naming.IsValidManifestSlug(slug))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidName, expression.GetLocation(), "Manifest slug", slug, Naming.ManifestSlugRule));
        }
    }
}
