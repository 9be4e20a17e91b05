using System.Text.RegularExpressions;

namespace ReJot.Docs.Tests;

/// <summary>A fenced code block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the block's first code line.</param>
/// <param name="Language">The fence's info string (e.g. <c>csharp</c>).</param>
/// <param name="Code">The code between the fences.</param>
/// <param name="Marker">The <c>&lt;!-- snippet: … --&gt;</c> marker on the line before the fence, if any.</param>
public sealed record CodeBlock(string File, int Line, string Language, string Code, string? Marker)
{
    /// <summary>The block is not compiled (it cannot stand alone); the marker says why.</summary>
    public bool IsSkipped => Marker?.StartsWith("skip", StringComparison.Ordinal) == true;

    /// <summary>The block is compiled on its own instead of together with the file's other blocks.</summary>
    public bool IsStandalone => Marker == "standalone";

    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Reads fenced code blocks and their opt-out markers from Markdown.</summary>
public static partial class Markdown
{
    /// <summary>The marker that opts a block out of compilation: <c>&lt;!-- snippet: skip (why) --&gt;</c>.</summary>
    public const string SkipMarker = "<!-- snippet: skip";

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<marker>.+?)\s*-->\s*$")]
    private static partial Regex MarkerPattern();

    public static IReadOnlyList<CodeBlock> ReadBlocks(string root, string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(root, relativePath));
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = lines[i].TrimStart();
            if (!open.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var indent = lines[i].Length - open.Length;
            var fence = new string('`', open.TakeWhile(c => c == '`').Count());
            var language = open[fence.Length..].Trim();
            string? marker = null;
            if (i > 0 && MarkerPattern().Match(lines[i - 1]) is { Success: true } match)
            {
                marker = match.Groups["marker"].Value;
            }

            var code = new List<string>();
            var j = i + 1;
            for (; j < lines.Length && lines[j].Trim() != fence; j++)
            {
                code.Add(lines[j].Length >= indent && string.IsNullOrWhiteSpace(lines[j][..indent]) ? lines[j][indent..] : lines[j].TrimStart());
            }

            if (j == lines.Length)
            {
                throw new InvalidOperationException($"{relativePath}:{i + 1}: code block is never closed.");
            }

            blocks.Add(new CodeBlock(relativePath.Replace('\\', '/'), i + 2, language, string.Join('\n', code), marker));
            i = j;
        }

        return blocks;
    }

    public static bool IsCSharp(CodeBlock block) => block.Language is "csharp" or "cs" or "c#";
}
