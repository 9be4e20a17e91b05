using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ReJot.Schemas.Generator.Tests;

public sealed class GeneratorCachingTests
{
    private const string Unrelated = "namespace Other; internal static class Helper { public static int Answer() => 42; }";
    private const string UnrelatedEdited = "namespace Other; internal static class Helper { public static int Answer() => 43; /* edited */ }";

    private static readonly string[] s_trackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void An_unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        var manifestPath = "/src/rejot-manifest.json";
        var compilation = GeneratorHarness.Compile("Accounts.Service", null, GeneratorSnapshotTests.Accounts, Unrelated);
        var driver = GeneratorHarness.CreateDriver(
            [new InMemoryAdditionalText(manifestPath, """{"slug":"accounts-service","manifestVersion":0}""")],
            TestOptionsProvider.ForManifestFile(manifestPath));

        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        var first = driver.GetRunResult().Results.Single();
        Assert.Equal(4, first.GeneratedSources.Length);
        foreach (var name in s_trackingNames)
        {
            Assert.True(first.TrackedSteps.ContainsKey(name), $"step {name} did not run");
        }

        var oldTree = compilation.SyntaxTrees.Single(t => t.ToString() == Unrelated);
        var edited = compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText(UnrelatedEdited, GeneratorHarness.ParseOptions, oldTree.FilePath, cancellationToken: TestContext.Current.CancellationToken));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);
        var second = driver.GetRunResult().Results.Single();

        foreach (var name in s_trackingNames)
        {
            var reasons = second.TrackedSteps[name].SelectMany(step => step.Outputs).Select(output => output.Reason).ToList();
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"step {name} was {reason} after an unrelated edit"));
        }

        Assert.All(second.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void No_symbol_syntax_node_or_compilation_is_held_by_the_pipeline()
    {
        var manifestPath = "/src/rejot-manifest.json";
        var compilation = GeneratorHarness.Compile("Accounts.Service", null, GeneratorSnapshotTests.Accounts, Unrelated);
        var driver = GeneratorHarness.CreateDriver(
            [new InMemoryAdditionalText(manifestPath, "{\"slug\":\"a\",\"manifestVersion\":0}")],
            TestOptionsProvider.ForManifestFile(manifestPath));
        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var name in s_trackingNames)
        {
            foreach (var (value, _) in result.TrackedSteps[name].SelectMany(step => step.Outputs))
            {
                AssertHoldsNoRoslynObjects(value, $"step {name}", visited);
            }
        }
    }

    private static void AssertHoldsNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or Location or SyntaxTree,
            $"{path} holds a {value.GetType().Name}");
        if (!value.GetType().IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertHoldsNoRoslynObjects(item, $"{path}[{i++}]", visited);
            }

            return;
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
        }
    }
}
