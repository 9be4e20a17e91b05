using Microsoft.CodeAnalysis;

namespace ReJot.Docs.Tests;

/// <summary>
/// Each docs/diagnostics/RJxxxx.md page explains its rule, and its "Example that triggers it" is a complete C# sample
/// that the analyzers really report that rule on (and that is otherwise valid C#).
/// </summary>
public sealed class DiagnosticPageTests
{
    public static TheoryData<string> Pages() =>
    [
        .. Directory.GetFiles(Path.Combine(Repository.Root, "docs", "diagnostics"), "RJ*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .Cast<string>(),
    ];

    [Fact]
    public void There_is_a_page_per_rule_and_the_index_lists_them_all()
    {
        var index = File.ReadAllText(Path.Combine(Repository.Root, "docs", "diagnostics", "README.md"));
        var pages = Pages().Select(row => (string)row.Data).ToList();

        Assert.Equal(26, pages.Count);
        Assert.All(pages, id => Assert.Contains($"[{id}]({id}.md)", index, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task The_example_triggers_the_rule_and_the_page_explains_the_fix(string id)
    {
        var file = $"docs/diagnostics/{id}.md";
        var page = File.ReadAllText(Path.Combine(Repository.Root, file));
        var blocks = Markdown.ReadBlocks(Repository.Root, file).Where(Markdown.IsCSharp).ToList();
        var exampleLine = LineOf(page, "## Example that triggers it");
        var fixLine = LineOf(page, "## How to fix it");
        var trigger = blocks.FirstOrDefault(b => b.Line > exampleLine && b.Line < fixLine);

        Assert.True(LineOf(page, "## What it means") > 0, $"{file} has no 'What it means' section.");
        Assert.True(trigger is not null, $"{file} has no C# example between 'Example that triggers it' and 'How to fix it'.");
        Assert.Contains(blocks, b => b.Line > fixLine);

        var reported = await SnippetCompiler.CompileAsync(id + "Example", [trigger], TestContext.Current.CancellationToken, DiagnosticSeverity.Info);

        Assert.True(reported.Any(d => d.Contains($" {id}: ", StringComparison.Ordinal)),
            $"{trigger} does not trigger {id}; reported:\n" + string.Join('\n', reported));
        var compilerErrors = reported.Where(d => d.Contains(" error CS", StringComparison.Ordinal)).ToList();
        Assert.True(compilerErrors.Count == 0, $"{trigger} is not valid C#:\n" + string.Join('\n', compilerErrors));
    }

    private static int LineOf(string page, string heading)
    {
        var lines = page.ReplaceLineEndings("\n").Split('\n');
        return Array.IndexOf(lines, heading) + 1;
    }
}
