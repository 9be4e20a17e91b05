using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ReJot.Schemas.Generator.Emitting;
using ReJot.Schemas.Generator.Model;
using ReJot.Schemas.Generator.Parsing;

namespace ReJot.Schemas.Generator;

/// <summary>
/// Collects the ReJot public and consumer schemas of a compilation and emits their manifest fragment,
/// each contract's JSON Schema and the registry the runtime reads. Bad input is skipped: the analyzers
/// report it.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SchemaGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 1. Compilation facts: assembly name, [assembly: ReJotManifest], whether the registry can be used.
        var compilation = context.CompilationProvider
            .Select(static (c, _) => CompilationParser.Parse(c))
            .WithTrackingName(TrackingNames.Compilation);

        // 2. The slug from MSBuild (ReJotManifestSlug), used when the assembly has no [ReJotManifest].
        var slugOption = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue(TypeNames.ManifestSlugBuildProperty, out var slug)
                && !string.IsNullOrWhiteSpace(slug) ? slug.Trim() : null)
            .WithTrackingName(TrackingNames.SlugOption);

        // 2b. Whether generated files may say #nullable (C# 8+; a netstandard2.0 project defaults to C# 7.3).
        var nullableDirective = context.ParseOptionsProvider
            .Select(static (options, _) => options is CSharpParseOptions { LanguageVersion: >= LanguageVersion.CSharp8 })
            .WithTrackingName(TrackingNames.NullableDirective);

        // 3. Public schemas: [PublicSchema] types turned into value models.
        var publicSchemas = context.SyntaxProvider
            .ForAttributeWithMetadataName(TypeNames.PublicSchemaAttribute, static (node, _) => true, PublicSchemaParser.Parse)
            .Where(static schema => schema is not null)
            .Select(static (schema, _) => schema!)
            .WithTrackingName(TrackingNames.PublicSchemas);

        // 4. Consumer schemas, by name ([ConsumerSchema] + [Consumes]) and typed ([ConsumerSchema<TContract>]).
        var namedConsumers = context.SyntaxProvider
            .ForAttributeWithMetadataName(TypeNames.ConsumerSchemaAttribute, static (node, _) => true, ConsumerSchemaParser.Parse)
            .WithTrackingName(TrackingNames.ConsumerSchemas);
        var typedConsumers = context.SyntaxProvider
            .ForAttributeWithMetadataName(TypeNames.TypedConsumerSchemaAttribute, static (node, _) => true, ConsumerSchemaParser.Parse)
            .WithTrackingName(TrackingNames.TypedConsumerSchemas);

        // 5. The manifest: every schema, sorted, with the resolved slug.
        var manifest = publicSchemas.Collect()
            .Combine(namedConsumers.Collect().Combine(typedConsumers.Collect()))
            .Combine(compilation.Combine(slugOption))
            .Select(static (input, _) => BuildManifest(input.Right.Left, input.Right.Right, input.Left.Left, input.Left.Right.Left.AddRange(input.Left.Right.Right)))
            .Combine(nullableDirective)
            .Select(static (input, _) => input.Left with { NullableDirective = input.Right })
            .WithTrackingName(TrackingNames.Manifest);

        // 6. The manifest file to merge into, when the build names one (ReJotManifestFile).
        var manifestFile = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Where(static input => input.Right.GetOptions(input.Left).TryGetValue(TypeNames.ManifestFileMetadata, out var flag)
                && string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase))
            .Select(static (input, cancellationToken) => new ManifestFileSpec(input.Left.Path, input.Left.GetText(cancellationToken)?.ToString()))
            .Collect()
            .Select(static (files, _) => files.OrderBy(static f => f.Path, StringComparer.Ordinal).FirstOrDefault())
            .WithTrackingName(TrackingNames.ManifestFile);
        var sourceFiles = context.CompilationProvider
            .Select(static (c, _) => CompilationParser.SourceFiles(c))
            .WithTrackingName(TrackingNames.SourceFiles);

        // Outputs: each contract's JSON Schema constant (partial types only) ...
        context.RegisterSourceOutput(publicSchemas.Combine(nullableDirective), static (spc, input) =>
        {
            if (input.Left.PartialType is { } type)
            {
                spc.AddSource(type.HintName, ContractEmitter.Emit(input.Left, type, input.Right));
            }
        });

        // ... the fragment and its registration ...
        context.RegisterSourceOutput(manifest, static (spc, spec) =>
        {
            if (spec.PublicSchemas.Length > 0 || spec.ConsumerSchemas.Length > 0)
            {
                spc.AddSource(RegistryEmitter.HintName, RegistryEmitter.Emit(spec));
            }
        });

        // ... and the merged manifest file for the build to write.
        context.RegisterSourceOutput(manifest.Combine(manifestFile).Combine(sourceFiles), static (spc, input) =>
        {
            if (input.Left.Right is { } file)
            {
                spc.AddSource(ManifestFileEmitter.HintName, ManifestFileEmitter.Emit(ManifestMerger.Merge(input.Left.Left, file, input.Right), input.Left.Left.NullableDirective));
            }
        });
    }

    internal static ManifestSpec BuildManifest(
        CompilationSpec compilation,
        string? slugOption,
        ImmutableArray<PublicSchemaSpec> publicSchemas,
        ImmutableArray<ConsumerSchemaSpec?> consumerSchemas)
    {
        var slug = compilation.ExplicitSlug ?? slugOption ?? Naming.ToKebabCase(compilation.AssemblyName);
        return new ManifestSpec(
            compilation.AssemblyName,
            slug,
            compilation.CanRegister,
            compilation.HasModuleInitializerAttribute,
            EmitSlugAttribute: compilation.ExplicitSlug is null && !publicSchemas.IsEmpty,
            NullableDirective: true,
            EquatableArray.From(publicSchemas
                .OrderBy(static s => s.Name, StringComparer.Ordinal)
                .ThenBy(static s => s.Major)
                .ThenBy(static s => s.Minor)
                .ThenBy(static s => s.DefinitionFile, StringComparer.Ordinal)),
            EquatableArray.From(consumerSchemas
                .Where(static c => c is not null)
                .Select(static c => c!)
                .OrderBy(static c => c.Name, StringComparer.Ordinal)
                .ThenBy(static c => c.DefinitionFile, StringComparer.Ordinal)));
    }
}
