using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ReJot.Docs.Tests;

/// <summary>
/// Compiles documentation samples the way a user's project would: C# latest, nullable on, the implicit usings of
/// an ASP.NET Core project plus <c>ReJot.Schemas</c>, references to the real ReJot, hosting and ASP.NET Core
/// assemblies, and the ReJot source generator and analyzers loaded from their assemblies.
/// </summary>
public static class SnippetCompiler
{
    private static readonly string[] s_globalUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging", "ReJot.Schemas",
    ];

    // A sample repeating one of the implicit usings is fine (a project without them needs it).
    private static readonly HashSet<string> s_ignored = ["CS0105", "CS8933", "CS8019", "CS1591"];

    // Test infrastructure and Roslyn itself are not something a sample may use.
    private static readonly string[] s_excludedPrefixes =
        ["xunit", "Microsoft.CodeAnalysis", "ReJot.Schemas.Generator", "ReJot.Schemas.Analyzers", "ReJot.Docs.Tests", "testhost", "Microsoft.TestPlatform", "Microsoft.VisualStudio", "Microsoft.Testing"];

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);
    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new(() =>
        Instantiate<DiagnosticAnalyzer>("ReJot.Schemas.Analyzers", typeof(DiagnosticAnalyzerAttribute)));
    private static readonly Lazy<ImmutableArray<IIncrementalGenerator>> s_generators = new(() =>
        Instantiate<IIncrementalGenerator>("ReJot.Schemas.Generator", typeof(GeneratorAttribute)));

    public static int AnalyzerCount => s_analyzers.Value.Length;

    /// <summary>Compiles <paramref name="blocks"/> as one project and returns every problem as "file:line: id: message".</summary>
    public static async Task<IReadOnlyList<string>> CompileAsync(string name, IReadOnlyList<CodeBlock> blocks, CancellationToken cancellationToken, DiagnosticSeverity minimum = DiagnosticSeverity.Warning)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = blocks.Select((b, i) => CSharpSyntaxTree.ParseText(b.Code, parseOptions, path: $"block{i}.cs", cancellationToken: cancellationToken)).ToList();
        var usings = CSharpSyntaxTree.ParseText(string.Concat(s_globalUsings.Select(u => $"global using global::{u};\n")), parseOptions, path: "GlobalUsings.cs", cancellationToken: cancellationToken);
        var hasTopLevelStatements = trees.Any(t => t.GetRoot(cancellationToken).ChildNodes().OfType<GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create(
            name,
            [.. trees, usings],
            s_references.Value,
            new CSharpCompilationOptions(hasTopLevelStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var driver = CSharpGeneratorDriver.Create(s_generators.Value.Select(GeneratorExtensions.AsSourceGenerator), parseOptions: parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics, cancellationToken);
        var diagnostics = await generated
            .WithAnalyzers(s_analyzers.Value, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAllDiagnosticsAsync(cancellationToken)
            .ConfigureAwait(false);

        return generatorDiagnostics.Concat(diagnostics)
            .Where(d => d.Severity >= minimum && !s_ignored.Contains(d.Id))
            .Select(d => Describe(d, blocks, trees))
            .Distinct()
            .ToList();
    }

    private static string Describe(Diagnostic diagnostic, IReadOnlyList<CodeBlock> blocks, List<SyntaxTree> trees)
    {
        var span = diagnostic.Location.GetLineSpan();
        var index = trees.FindIndex(t => t.FilePath == span.Path);
        var where = index >= 0
            ? $"{blocks[index].File}:{blocks[index].Line + span.StartLinePosition.Line}"
            : $"{span.Path} (generated, from {string.Join(", ", blocks.Select(b => b.ToString()))})";
        return $"{where}: {diagnostic.Severity.ToString().ToLowerInvariant()} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. paths
            .Where(p => !s_excludedPrefixes.Any(x => Path.GetFileName(p).StartsWith(x, StringComparison.OrdinalIgnoreCase)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static ImmutableArray<T> Instantiate<T>(string assemblyName, Type marker)
    {
        var assembly = Assembly.Load(assemblyName);
        var instances = assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(T).IsAssignableFrom(t) && t.GetCustomAttributes(marker, inherit: false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (T)Activator.CreateInstance(t, nonPublic: true)!)
            .ToImmutableArray();
        return instances.IsEmpty ? throw new InvalidOperationException($"No {typeof(T).Name} found in {assemblyName}.") : instances;
    }
}
