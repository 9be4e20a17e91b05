using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Parsing;

/// <summary>Reads the compilation-wide facts: assembly name, explicit slug, what the registry can use.</summary>
internal static class CompilationParser
{
    public static CompilationSpec Parse(Compilation compilation)
    {
        var explicitSlug = compilation.Assembly.Find(TypeNames.ReJotManifestAttribute)?.StringArgument(0);
        var languageVersion = (compilation as CSharpCompilation)?.LanguageVersion ?? LanguageVersion.Default;
        var registry = compilation.GetTypeByMetadataName(TypeNames.GeneratedManifests);
        var moduleInitializer = compilation.GetTypeByMetadataName(TypeNames.ModuleInitializerAttribute);
        return new CompilationSpec(
            compilation.AssemblyName ?? "",
            string.IsNullOrWhiteSpace(explicitSlug) ? null : explicitSlug,
            CanRegister: registry is not null && languageVersion >= LanguageVersion.CSharp9,
            HasModuleInitializerAttribute: moduleInitializer is not null && compilation.IsSymbolAccessibleWithin(moduleInitializer, compilation.Assembly));
    }

    public static EquatableArray<string> SourceFiles(Compilation compilation)
        => new(compilation.SyntaxTrees
            .Select(static tree => tree.FilePath)
            .Where(static path => !string.IsNullOrEmpty(path))
            .OrderBy(static path => path, System.StringComparer.Ordinal)
            .ToImmutableArray());
}
