using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ReJot.Schemas.Analyzers.Analyzers;
using ReJot.Schemas.Analyzers.Diagnostics;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class DiagnosticDescriptorsTests
{
    private static readonly DiagnosticDescriptor[] s_all = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    private static readonly DiagnosticAnalyzer[] s_analyzers =
        [new SqlTextAnalyzer(), new PublicSchemaAnalyzer(), new ConsumerSchemaAnalyzer(), new ManifestSlugAnalyzer()];

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReJot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ReJot.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void There_are_at_least_fifteen_rules_with_unique_sequential_ids()
    {
        var ids = s_all.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).ToArray();

        Assert.True(ids.Length >= 15);
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => $"RJ{i:0000}"), ids);
    }

    [Fact]
    public void Every_rule_is_reported_by_some_analyzer()
    {
        var supported = s_analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();

        Assert.All(s_all, d => Assert.Contains(d.Id, supported));
    }

    [Fact]
    public void Every_rule_has_a_help_page_with_an_example_and_a_fix()
    {
        var root = RepositoryRoot();
        foreach (var descriptor in s_all)
        {
            Assert.Equal("docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri);
            var page = File.ReadAllText(Path.Combine(root, descriptor.HelpLinkUri));
            Assert.StartsWith("# " + descriptor.Id + ": " + descriptor.Title, page, StringComparison.Ordinal);
            Assert.Contains("## Example that triggers it", page, StringComparison.Ordinal);
            Assert.Contains("## How to fix it", page, StringComparison.Ordinal);
            Assert.Contains(descriptor.DefaultSeverity.ToString(), page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_rule_is_tracked_in_the_release_notes_with_its_category_and_severity()
    {
        var unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "analyzers/ReJot.Schemas.Analyzers/AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in s_all)
        {
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", unshipped, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_rule_has_a_description_and_a_category_per_area()
    {
        Assert.All(s_all, d => Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString())));
        Assert.All(s_all, d => Assert.StartsWith("ReJot.", d.Category, StringComparison.Ordinal));
    }
}
