extern alias generator;

using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Emitting = generator::ReJot.Schemas.Generator.Emitting;
using GeneratorParsing = generator::ReJot.Schemas.Generator.Parsing;
using SchemaGenerator = generator::ReJot.Schemas.Generator.SchemaGenerator;

namespace ReJot.Cli.Commands.Collect;

/// <summary>What one collection produced.</summary>
/// <param name="Fragments">The manifest fragments (JSON): one for the sources, one per assembly.</param>
/// <param name="SchemaCount">Public plus consumer schemas found.</param>
/// <param name="Diagnostics">ReJot analyzer diagnostics (with <c>--check</c>).</param>
/// <param name="CompileErrors">C# errors of the compiled sources (unresolved references and the like).</param>
/// <param name="MergedManifest">The manifest with the schemas merged in (with <c>--write</c>), or null.</param>
/// <param name="MergeError">Why the manifest could not be merged, or null.</param>
/// <param name="Changes">Added, updated, removed, unchanged.</param>
internal sealed record CollectResult(
    IReadOnlyList<string> Fragments,
    int SchemaCount,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<Diagnostic> CompileErrors,
    string? MergedManifest,
    string? MergeError,
    (int Added, int Updated, int Removed, int Unchanged) Changes);

/// <summary>
/// Runs the ReJot source generator (and, for <c>--check</c>, the ReJot analyzers) in-process over the
/// collected sources: the same code as the build. The merge into a manifest is the generator's own
/// (the manifest is handed to it as the AdditionalFiles item the package's MSBuild targets would pass).
/// Built assemblies are read from metadata with the generator's parsers and merged with its merger.
/// </summary>
internal static class SchemaCollector
{
    private const string ManifestMetadata = "build_metadata.AdditionalFiles.ReJotManifest";
    private const string SlugProperty = "build_property.ReJotManifestSlug";

    public static async Task<CollectResult> CollectAsync(CollectInputs inputs, bool check, string? manifestPath, CancellationToken cancellationToken)
    {
        var fragments = new List<string>();
        var diagnostics = new List<Diagnostic>();
        var compileErrors = new List<Diagnostic>();
        var references = inputs.MetadataReferences();
        var schemaCount = 0;
        string? manifest = manifestPath is not null && File.Exists(manifestPath)
            ? await File.ReadAllTextAsync(manifestPath, cancellationToken).ConfigureAwait(false)
            : null;
        string? mergeError = null;
        var changes = (Added: 0, Updated: 0, Removed: 0, Unchanged: 0);

        if (inputs.SourceFiles.Count > 0)
        {
            var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = new List<SyntaxTree>();
            foreach (var file in inputs.SourceFiles)
            {
                var text = SourceText.From(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), Encoding.UTF8);
                trees.Add(CSharpSyntaxTree.ParseText(text, parseOptions, file, cancellationToken));
            }

            var compilation = CSharpCompilation.Create(
                inputs.AssemblyName,
                trees,
                references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

            var additional = manifestPath is null ? ImmutableArray<AdditionalText>.Empty : [new ManifestText(manifestPath, manifest)];
            var options = new OptionsProvider(inputs.ManifestSlug, manifestPath);
            GeneratorDriver driver = CSharpGeneratorDriver.Create([new SchemaGenerator().AsSourceGenerator()], additional, parseOptions, options);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _, cancellationToken);
            var generated = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources).ToList();

            compileErrors.AddRange(output.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
            if (output.GetTypeByMetadataName("ReJot.Generated.ReJotGeneratedManifest")?.GetMembers("Json").OfType<IFieldSymbol>().SingleOrDefault()?.ConstantValue is string fragment)
            {
                fragments.Add(fragment);
                schemaCount += CountSchemas(fragment);
            }

            if (manifestPath is not null)
            {
                var file = generated.SingleOrDefault(s => s.HintName == Emitting.ManifestFileEmitter.HintName).SourceText?.ToString();
                if (file is not null)
                {
                    (manifest, mergeError, var sourceChanges) = ReadMergedFile(file);
                    changes = Add(changes, sourceChanges);
                }
            }

            if (check)
            {
                var analyzers = Analyzers();
                var withAnalyzers = output.WithAnalyzers(analyzers, new AnalyzerOptions(additional, options));
                diagnostics.AddRange(await withAnalyzers.GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false));
            }
        }

        foreach (var assemblyPath in inputs.Assemblies)
        {
            var (spec, assemblyFragment) = ReadAssembly(assemblyPath, references, cancellationToken);
            fragments.Add(assemblyFragment);
            schemaCount += spec.PublicSchemas.Length + spec.ConsumerSchemas.Length;
            if (manifestPath is not null && mergeError is null)
            {
                var merged = Emitting.ManifestMerger.Merge(spec, new(manifestPath, manifest), default);
                mergeError = merged.Error;
                manifest = merged.Json ?? manifest;
                changes = Add(changes, (merged.Added, merged.Updated, merged.Removed, merged.Unchanged));
            }
        }

        return new CollectResult(
            fragments,
            schemaCount,
            diagnostics.OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToList(),
            compileErrors,
            manifestPath is null ? null : manifest,
            mergeError,
            changes);
    }

    private static (int, int, int, int) Add((int, int, int, int) a, (int, int, int, int) b)
        => (a.Item1 + b.Item1, a.Item2 + b.Item2, a.Item3 + b.Item3, a.Item4 + b.Item4);

    private static int CountSchemas(string fragment)
    {
        using var document = System.Text.Json.JsonDocument.Parse(fragment);
        return document.RootElement.GetProperty("publicSchemas").GetArrayLength() + document.RootElement.GetProperty("consumerSchemas").GetArrayLength();
    }

    /// <summary>Cuts the merged manifest, the error or the change counts out of the generator's manifest file.</summary>
    private static (string? Json, string? Error, (int, int, int, int) Changes) ReadMergedFile(string file)
    {
        var errorAt = file.IndexOf(Emitting.ManifestFileEmitter.ErrorMarker, StringComparison.Ordinal);
        if (errorAt >= 0)
        {
            return (null, file[(errorAt + Emitting.ManifestFileEmitter.ErrorMarker.Length)..].Split('\n')[0].Trim(), default);
        }

        var begin = file.IndexOf(Emitting.ManifestFileEmitter.Begin, StringComparison.Ordinal) + Emitting.ManifestFileEmitter.Begin.Length + 1;
        var end = file.IndexOf(Emitting.ManifestFileEmitter.End, StringComparison.Ordinal);
        var changesAt = file.IndexOf(Emitting.ManifestFileEmitter.ChangesMarker, StringComparison.Ordinal) + Emitting.ManifestFileEmitter.ChangesMarker.Length;
        var counts = file[changesAt..].Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.Parse(part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        return (file[begin..end], null, (counts[0], counts[1], counts[2], counts[3]));
    }

    private static (generator::ReJot.Schemas.Generator.Model.ManifestSpec Spec, string Fragment) ReadAssembly(string path, List<MetadataReference> references, CancellationToken cancellationToken)
    {
        var target = MetadataReference.CreateFromFile(path);
        // Its neighbours (dependencies, contract assemblies of typed consumers) resolve the types it uses.
        var neighbours = Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.dll")
            .Where(f => !string.Equals(Path.GetFullPath(f), Path.GetFullPath(path), StringComparison.Ordinal)
                        && !references.OfType<PortableExecutableReference>().Any(r => string.Equals(Path.GetFileName(r.FilePath), Path.GetFileName(f), StringComparison.OrdinalIgnoreCase)))
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f));
        var compilation = CSharpCompilation.Create("rejot-collect", [], [.. references, .. neighbours, target]);
        if (compilation.GetAssemblyOrModuleSymbol(target) is not IAssemblySymbol assembly)
        {
            throw new CliException($"{path} is not a .NET assembly.");
        }

        var spec = GeneratorParsing.MetadataSchemaReader.Read(compilation, assembly, cancellationToken);
        return (spec, generator::ReJot.Schemas.Generator.Json.JsonWriter.Write(Emitting.ManifestJson.Fragment(spec), indented: false));
    }

    private static ImmutableArray<DiagnosticAnalyzer> Analyzers()
        => [.. typeof(ReJot.Schemas.Analyzers.Analyzers.SqlTextAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    private sealed class ManifestText(string path, string? text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) => text is null ? null : SourceText.From(text);
    }

    /// <summary>The build properties and item metadata the package's props would give the compiler.</summary>
    private sealed class OptionsProvider(string? slug, string? manifestPath) : AnalyzerConfigOptionsProvider
    {
        private static readonly Options s_empty = new([]);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(slug is null ? [] : new() { [SlugProperty] = slug });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => s_empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
            => textFile.Path == manifestPath ? new Options(new() { [ManifestMetadata] = "true" }) : s_empty;
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            => values.TryGetValue(key, out value);
    }
}
