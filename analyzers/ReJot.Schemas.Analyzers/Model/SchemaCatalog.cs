using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>A public schema declared in this compilation or a referenced assembly.</summary>
internal sealed class PublicSchemaEntry
{
    public PublicSchemaEntry(INamedTypeSymbol type, string name, int major, int minor, string manifestSlug)
    {
        Type = type;
        Name = name;
        Major = major;
        Minor = minor;
        ManifestSlug = manifestSlug;
    }

    public INamedTypeSymbol Type { get; }

    public string Name { get; }

    public int Major { get; }

    public int Minor { get; }

    public string ManifestSlug { get; }
}

/// <summary>A consumer schema declared in this compilation.</summary>
internal sealed class ConsumerSchemaEntry
{
    public ConsumerSchemaEntry(INamedTypeSymbol type, string name)
    {
        Type = type;
        Name = name;
    }

    public INamedTypeSymbol Type { get; }

    public string Name { get; }
}

/// <summary>
/// Every schema visible to a compilation, found once per compilation on first use: its own types and the types of
/// referenced assemblies that reference ReJot.Schemas (the only ones that can carry schemas).
/// </summary>
internal sealed class SchemaCatalog
{
    private readonly Compilation _compilation;
    private readonly KnownSymbols _known;
    private readonly Lazy<Scan> _scan;

    public SchemaCatalog(Compilation compilation, KnownSymbols known, AnalyzerConfigOptions globalOptions)
    {
        _compilation = compilation;
        _known = known;
        CurrentSlug = CurrentManifestSlug(compilation, known, globalOptions);
        _scan = new Lazy<Scan>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The manifest slug of this compilation: [assembly: ReJotManifest], else the ReJotManifestSlug property, else the assembly name in kebab-case.</summary>
    public string CurrentSlug { get; }

    /// <summary>Public schemas declared in this compilation.</summary>
    public IReadOnlyList<PublicSchemaEntry> OwnPublicSchemas => _scan.Value.Own;

    /// <summary>Consumer schemas declared in this compilation.</summary>
    public IReadOnlyList<ConsumerSchemaEntry> OwnConsumerSchemas => _scan.Value.Consumers;

    /// <summary>The public schemas of manifest <paramref name="slug"/>, or null when that manifest is not visible here.</summary>
    public IReadOnlyList<PublicSchemaEntry>? SchemasOfManifest(string slug)
    {
        var scan = _scan.Value;
        List<PublicSchemaEntry>? found = null;
        if (slug == CurrentSlug)
        {
            found = new List<PublicSchemaEntry>(scan.Own);
        }

        if (scan.Referenced.TryGetValue(slug, out var referenced))
        {
            found ??= new List<PublicSchemaEntry>();
            found.AddRange(referenced);
        }

        return found;
    }

    /// <summary>The entry of a public schema type (attribute values read from it), or null when it has no [PublicSchema].</summary>
    public PublicSchemaEntry? EntryOf(INamedTypeSymbol type)
    {
        var attribute = KnownSymbols.Find(type, _known.PublicSchema);
        if (attribute?.StringArgument(0) is not { } name)
        {
            return null;
        }

        var slug = SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, _compilation.Assembly)
            ? CurrentSlug
            : ManifestSlugOf(type.ContainingAssembly, _known);
        return new PublicSchemaEntry(type, name, attribute.NamedInt("Major", 1), attribute.NamedInt("Minor", 0), slug);
    }

    private static string CurrentManifestSlug(Compilation compilation, KnownSymbols known, AnalyzerConfigOptions globalOptions)
    {
        if (KnownSymbols.Find(compilation.Assembly, known.ReJotManifest)?.StringArgument(0) is { Length: > 0 } slug)
        {
            return slug;
        }

        if (globalOptions.TryGetValue(TypeNames.ManifestSlugBuildProperty, out var property) && !string.IsNullOrWhiteSpace(property))
        {
            return property.Trim();
        }

        return Naming.ToKebabCase(compilation.AssemblyName ?? "");
    }

    private static string ManifestSlugOf(IAssemblySymbol assembly, KnownSymbols known)
        => KnownSymbols.Find(assembly, known.ReJotManifest)?.StringArgument(0) is { Length: > 0 } slug
            ? slug
            : Naming.ToKebabCase(assembly.Name);

    private Scan Build()
    {
        var scan = new Scan();
        foreach (var type in Types(_compilation.Assembly.GlobalNamespace))
        {
            if (EntryOf(type) is { } entry)
            {
                scan.Own.Add(entry);
            }

            var consumer = KnownSymbols.Find(type, _known.ConsumerSchema) ?? KnownSymbols.Find(type, _known.TypedConsumerSchema);
            if (consumer?.StringArgument(0) is { } consumerName)
            {
                scan.Consumers.Add(new ConsumerSchemaEntry(type, consumerName));
            }
        }

        foreach (var assembly in _compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (!ReferencesSchemas(assembly))
            {
                continue;
            }

            var slug = ManifestSlugOf(assembly, _known);
            foreach (var type in Types(assembly.GlobalNamespace))
            {
                if (KnownSymbols.Find(type, _known.PublicSchema)?.StringArgument(0) is { } name)
                {
                    var attribute = KnownSymbols.Find(type, _known.PublicSchema)!;
                    if (!scan.Referenced.TryGetValue(slug, out var list))
                    {
                        list = new List<PublicSchemaEntry>();
                        scan.Referenced.Add(slug, list);
                    }

                    list.Add(new PublicSchemaEntry(type, name, attribute.NamedInt("Major", 1), attribute.NamedInt("Minor", 0), slug));
                }
            }
        }

        return scan;
    }

    private static bool ReferencesSchemas(IAssemblySymbol assembly)
    {
        foreach (var module in assembly.Modules)
        {
            foreach (var reference in module.ReferencedAssemblies)
            {
                if (reference.Name == TypeNames.SchemasAssemblyName)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<INamedTypeSymbol> Types(INamespaceSymbol root)
    {
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var member in current.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    pending.Push(ns);
                }
                else if (member is INamedTypeSymbol type)
                {
                    yield return type;
                    pending.Push(type);
                }
            }
        }
    }

    private sealed class Scan
    {
        public List<PublicSchemaEntry> Own { get; } = new();

        public List<ConsumerSchemaEntry> Consumers { get; } = new();

        public Dictionary<string, List<PublicSchemaEntry>> Referenced { get; } = new(StringComparer.Ordinal);
    }
}
