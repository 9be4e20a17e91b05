namespace ReJot.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md, docs/*.md and the ReJot.Schemas package README compiles with the
/// ReJot generator and analyzers and without warnings. The blocks of one file form one project (later blocks may
/// use types of earlier ones); a block preceded by <c>&lt;!-- snippet: standalone --&gt;</c> is its own project,
/// and <c>&lt;!-- snippet: skip (why) --&gt;</c> opts a fragment out.
/// </summary>
public sealed class CodeSampleTests
{
    public static TheoryData<string> Files() => [.. Repository.DocumentedFiles()];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Every_csharp_block_compiles_with_the_generator_and_analyzers(string file)
    {
        var blocks = Markdown.ReadBlocks(Repository.Root, file).Where(Markdown.IsCSharp).Where(b => !b.IsSkipped).ToList();
        var projects = blocks.Where(b => b.IsStandalone).Select(b => (IReadOnlyList<CodeBlock>)[b]).ToList();
        var together = blocks.Where(b => !b.IsStandalone).ToList();
        if (together.Count > 0)
        {
            projects.Add(together);
        }

        var problems = new List<string>();
        foreach (var (project, index) in projects.Select((p, i) => (p, i)))
        {
            problems.AddRange(await SnippetCompiler.CompileAsync($"DocSample{index}", project, TestContext.Current.CancellationToken));
        }

        Assert.True(problems.Count == 0, $"C# samples in {file} do not compile cleanly:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Opt_outs_are_rare_and_say_why()
    {
        var skipped = Repository.DocumentedFiles()
            .SelectMany(f => Markdown.ReadBlocks(Repository.Root, f))
            .Where(b => Markdown.IsCSharp(b) && b.IsSkipped)
            .ToList();

        Assert.All(skipped, b => Assert.Matches(@"^skip \(.+\)$", b.Marker));
        Assert.True(skipped.Count <= 3, "Too many C# samples opt out of compilation: " + string.Join(", ", skipped));
    }

    [Fact]
    public async Task A_broken_sample_is_reported_with_its_file_and_line()
    {
        var broken = new CodeBlock("docs/example.md", 40, "csharp", "public sealed class C\n{\n    int M() => \"no\";\n}", null);

        var problems = await SnippetCompiler.CompileAsync("Broken", [broken], TestContext.Current.CancellationToken);

        Assert.Contains(problems, p => p.StartsWith("docs/example.md:42: error CS0029", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Analyzer_findings_in_a_schema_sample_fail_it()
    {
        var sample = new CodeBlock("README.md", 10, "csharp", """
            [ConsumerSchema("into-orders", Destination = "orders")]
            [Consumes("accounts-service", "account", Major = 1)]
            public sealed partial class IntoOrders
            {
                [UpsertSql] public const string Upsert = "INSERT INTO t (id) VALUES (:id)";
                [DeleteSql] public const string Delete = "DELETE FROM t WHERE id = :id";
            }

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.InsertOrUpdate, "accounts", "SELECT id, name FROM accounts WHERE id = :id")]
            public sealed partial record Account([property: Key] long Id, string Name, string Email);
            """, null);

        var problems = await SnippetCompiler.CompileAsync("Analyzed", [sample], TestContext.Current.CancellationToken);

        Assert.Contains(problems, p => p.Contains(" RJ0018: ", StringComparison.Ordinal));
        Assert.True(SnippetCompiler.AnalyzerCount >= 4);
    }

    [Fact]
    public async Task Samples_see_the_generated_code()
    {
        var sample = new CodeBlock("README.md", 1, "csharp", """
            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.Insert, "accounts", "SELECT id FROM accounts WHERE id = :id")]
            public sealed partial record Account(long Id);

            public static class Uses
            {
                public static string Both() => ReJot.Generated.ReJotGeneratedManifest.Json + Account.JsonSchema;
            }
            """, null);

        Assert.Empty(await SnippetCompiler.CompileAsync("Generated", [sample], TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Markdown_blocks_keep_their_line_and_marker()
    {
        var path = Path.Combine(Path.GetTempPath(), "rejot-docs-" + Guid.NewGuid().ToString("N") + ".md");
        File.WriteAllText(path, "# t\n\n<!-- snippet: skip (fragment) -->\n```csharp\nint x;\n```\n\n```json\n{}\n```\n");
        try
        {
            var blocks = Markdown.ReadBlocks(Path.GetDirectoryName(path)!, Path.GetFileName(path));

            Assert.Equal(2, blocks.Count);
            Assert.Equal((5, "csharp", "int x;", "skip (fragment)"), (blocks[0].Line, blocks[0].Language, blocks[0].Code, blocks[0].Marker));
            Assert.True(blocks[0].IsSkipped);
            Assert.Equal("json", blocks[1].Language);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
