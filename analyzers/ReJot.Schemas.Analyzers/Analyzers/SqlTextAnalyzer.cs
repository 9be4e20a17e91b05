using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ReJot.Schemas.Analyzers.Diagnostics;
using ReJot.Schemas.Analyzers.Model;
using ReJot.Sql;

namespace ReJot.Schemas.Analyzers.Analyzers;

/// <summary>
/// Checks every ReJot SQL text on its own: lexical errors, placeholder style and numbering, empty SQL and unquoted
/// mixed-case aliases. Runs on public schema transformations and consumer SQL fields.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SqlTextAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnterminatedSql,
        DiagnosticDescriptors.MixedPlaceholders,
        DiagnosticDescriptors.PositionalNotSequential,
        DiagnosticDescriptors.EmptySql,
        DiagnosticDescriptors.MixedCaseAlias);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Without ReJot.Schemas there are no schemas to check.
            if (KnownSymbols.Create(start.Compilation) is not { } known)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, known), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownSymbols known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var token = context.CancellationToken;
        foreach (var source in SqlSource.Collect(type, known, context.Compilation, token))
        {
            if (string.IsNullOrWhiteSpace(source.Sql))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EmptySql, source.WholeLocation, source.Description));
                continue;
            }

            var tokenization = SqlTokenizer.Tokenize(source.Sql);
            foreach (var error in tokenization.Errors)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnterminatedSql, source.GetLocation(error.Start, error.Length, token), error.Message));
            }

            var analysis = SqlPlaceholders.Analyze(tokenization);
            if (analysis.FirstMixed is { } mixed)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MixedPlaceholders, source.GetLocation(mixed.Start, mixed.Length, token), mixed.ToString()));
            }
            else if (analysis.FirstOutOfSequence is { } outOfSequence)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PositionalNotSequential,
                    source.GetLocation(outOfSequence.Start, outOfSequence.Length, token),
                    analysis.DescribeSequenceProblem()));
            }

            if (SqlSelectList.TryRead(tokenization) is not { } select)
            {
                continue;
            }

            foreach (var column in select.Columns)
            {
                if (!column.IsAlias || !column.HasUnquotedUpperCase)
                {
                    continue;
                }

                var written = source.Sql.Substring(column.NameStart, column.NameLength);
                var properties = ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.ReplacementProperty, "\"" + written + "\"");
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.MixedCaseAlias,
                    source.GetLocation(column.NameStart, column.NameLength, token),
                    properties,
                    written,
                    column.Name));
            }
        }
    }
}
