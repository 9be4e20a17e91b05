using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace ReJot.Schemas.Analyzers.Tests;

/// <summary>Runs analyzers and code fixes over test sources with markup, offline (no reference-pack download).</summary>
internal static class Verify
{
    // Net 10 reference assemblies from Basic.Reference.Assemblies plus the attributes' assembly.
    private static readonly ReferenceAssemblies s_referenceAssemblies = new("net10.0");

    public static MetadataReference SchemasReference { get; } =
        MetadataReference.CreateFromFile(typeof(ReJot.Schemas.PublicSchemaAttribute).Assembly.Location);

    public const string Usings = "using ReJot.Schemas;\n";

    public static Task AnalyzerAsync<TAnalyzer>(string source, params MetadataReference[] references)
        where TAnalyzer : DiagnosticAnalyzer, new()
        => AnalyzerAsync<TAnalyzer>(source, [], references);

    public static async Task AnalyzerAsync<TAnalyzer>(string source, DiagnosticResult[] expected, params MetadataReference[] references)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test.TestState, references);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    public static async Task AnalyzerWithOptionsAsync<TAnalyzer>(string source, string globalConfig)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test.TestState, []);
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + globalConfig));
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    public static async Task CodeFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        Configure(test.TestState, []);
        Configure(test.FixedState, []);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// The analyzer reports the markup's diagnostics and the code fix offers nothing for them: the code stays as it is.
    /// The fixed state keeps its markup diagnostics explicitly (its default, IgnoreFixable, would drop the fixable ones
    /// from the expectation).
    /// </summary>
    public static async Task NoCodeFixAsync<TAnalyzer, TCodeFix>(string source)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + source,
        };
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        Configure(test.TestState, []);
        Configure(test.FixedState, []);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static void Configure(SolutionState state, MetadataReference[] references)
    {
        state.ReferenceAssemblies = s_referenceAssemblies;
        state.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
        state.AdditionalReferences.Add(SchemasReference);
        state.AdditionalReferences.AddRange(references);
    }

    /// <summary>Compiles <paramref name="source"/> into an in-memory assembly to reference, as a contract package would be.</summary>
    public static MetadataReference CompileLibrary(string assemblyName, string source)
    {
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest))],
            [.. Basic.Reference.Assemblies.Net100.References.All, SchemasReference],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }
}
