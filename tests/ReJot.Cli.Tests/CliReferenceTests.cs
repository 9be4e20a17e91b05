using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ReJot.Cli.Commands;

namespace ReJot.Cli.Tests;

/// <summary>
/// docs/cli.md holds a reference of every command, option and argument generated from the System.CommandLine
/// definitions (<see cref="RootCommandFactory"/>), so it cannot drift: this test fails when the generated part
/// differs, and <c>REJOT_UPDATE_DOCS=1 dotnet test tests/ReJot.Cli.Tests</c> rewrites it.
/// </summary>
public sealed class CliReferenceTests
{
    private const string Begin = "<!-- BEGIN GENERATED: rejot command reference. Regenerate: REJOT_UPDATE_DOCS=1 dotnet test tests/ReJot.Cli.Tests -->";
    private const string End = "<!-- END GENERATED -->";

    private static RootCommand Root() => RootCommandFactory.Create(new CliContext(TextWriter.Null, TextWriter.Null));

    [Fact]
    public void Docs_cli_md_is_the_generated_reference()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "cli.md");
        var expected = Generate(Root());
        var current = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        var start = current.IndexOf(Begin, StringComparison.Ordinal);
        var end = current.IndexOf(End, StringComparison.Ordinal);
        var generated = start >= 0 && end > start ? current[(start + Begin.Length)..end] : null;

        if (Environment.GetEnvironmentVariable("REJOT_UPDATE_DOCS") == "1")
        {
            var updated = generated is null
                ? current + "\n" + Begin + expected + End + "\n"
                : current[..(start + Begin.Length)] + expected + current[end..];
            File.WriteAllText(path, updated);
            return;
        }

        Assert.True(generated is not null, $"docs/cli.md has no generated reference between '{Begin}' and '{End}'. Run REJOT_UPDATE_DOCS=1 dotnet test tests/ReJot.Cli.Tests.");
        Assert.True(generated == expected, "docs/cli.md is out of date with the command definitions. Run REJOT_UPDATE_DOCS=1 dotnet test tests/ReJot.Cli.Tests and review the diff.");
    }

    [Fact]
    public void The_reference_names_every_command_option_alias_and_argument()
    {
        var reference = Generate(Root());
        var missing = new List<string>();
        foreach (var (path, command) in Commands(Root(), "rejot"))
        {
            Check($"### `{path}`");
            foreach (var option in command.Options.Where(o => o is not HelpOption))
            {
                Check(string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)).Select(a => $"`{a}`")));
            }

            foreach (var argument in command.Arguments)
            {
                Check($"`<{argument.Name}>");
            }
        }

        Assert.Empty(missing);

        void Check(string text)
        {
            if (!reference.Contains(text, StringComparison.Ordinal))
            {
                missing.Add(text);
            }
        }
    }

    [Fact]
    public void A_changed_definition_changes_the_reference()
    {
        var root = Root();
        var before = Generate(root);
        root.Subcommands.Single(c => c.Name == "collect").Options.Add(new Option<bool>("--dry-run") { Description = "Invented." });

        Assert.NotEqual(before, Generate(root));
        Assert.Contains("`--dry-run`", Generate(root), StringComparison.Ordinal);
    }

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path)
    {
        yield return (path, command);
        foreach (var child in command.Subcommands)
        {
            foreach (var nested in Commands(child, path + " " + child.Name))
            {
                yield return nested;
            }
        }
    }

    internal static string Generate(RootCommand root)
    {
        var text = new StringBuilder("\n");
        foreach (var (path, command) in Commands(root, "rejot"))
        {
            var options = command.Options.Where(o => o is not HelpOption).ToList();
            var inherited = command == root ? [] : root.Options.Where(o => o.Recursive && o is not HelpOption).ToList();
            text.Append("\n### `").Append(path).Append("`\n\n");
            text.Append(command.Description).Append("\n\n");
            var usage = new StringBuilder(path);
            foreach (var argument in command.Arguments)
            {
                usage.Append(' ').Append(ArgumentUsage(argument));
            }

            if (command.Subcommands.Count > 0)
            {
                usage.Append(" <command>");
            }

            if (options.Count + inherited.Count > 0)
            {
                usage.Append(" [options]");
            }

            text.Append("Usage: `").Append(usage).Append("`\n");
            if (command.Subcommands.Count > 0)
            {
                text.Append("\nCommands: ").Append(string.Join(", ", command.Subcommands.Select(c => $"[`{c.Name}`](#{Anchor(path + " " + c.Name)})"))).Append('\n');
            }

            if (command.Arguments.Count > 0)
            {
                text.Append("\n| argument | values | description |\n| --- | --- | --- |\n");
                foreach (var argument in command.Arguments)
                {
                    text.Append($"| `<{argument.Name}>` | {Arity(argument.Arity)} | {Cell(argument.Description)} |\n");
                }
            }

            if (options.Count > 0)
            {
                text.Append("\n| option | value | default | description |\n| --- | --- | --- | --- |\n");
                foreach (var option in options)
                {
                    var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)).Select(a => $"`{a}`"));
                    var required = option.Required ? " (required)" : string.Empty;
                    var recursive = option.Recursive ? " (every command)" : string.Empty;
                    text.Append($"| {names}{required}{recursive} | {Value(option)} | {Default(option)} | {Cell(option.Description)} |\n");
                }
            }

            if (inherited.Count > 0)
            {
                text.Append("\nAlso: ").Append(string.Join(", ", inherited.Select(o => $"`{o.Name}`"))).Append(", `--help`.\n");
            }
        }

        return text.Append('\n').ToString();
    }

    private static string ArgumentUsage(Argument argument)
        => argument.Arity.MaximumNumberOfValues > 1
            ? (argument.Arity.MinimumNumberOfValues == 0 ? $"[<{argument.Name}>...]" : $"<{argument.Name}>...")
            : (argument.Arity.MinimumNumberOfValues == 0 ? $"[<{argument.Name}>]" : $"<{argument.Name}>");

    private static string Arity(ArgumentArity arity) => (arity.MinimumNumberOfValues, arity.MaximumNumberOfValues) switch
    {
        (1, 1) => "one",
        (0, 1) => "optional",
        (1, _) => "one or more",
        (0, _) => "any number",
        var (min, max) => string.Create(CultureInfo.InvariantCulture, $"{min}..{max}"),
    };

    private static string Value(Option option)
    {
        if (option.ValueType == typeof(bool) || option is VersionOption)
        {
            return "flag";
        }

        var allowed = option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList();
        if (option.ValueType.IsEnum is false && allowed.Count > 0)
        {
            return string.Join(" \\| ", allowed.Select(a => $"`{a}`"));
        }

        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var name = option.HelpName ?? (type == typeof(int) ? "number" : type == typeof(string) ? "text" : type.Name.ToLowerInvariant());
        return $"`<{name}>`";
    }

    private static string Default(Option option)
    {
        if (!option.HasDefaultValue || option.ValueType == typeof(bool) || option is VersionOption)
        {
            return string.Empty;
        }

        return option.GetDefaultValue() is { } value ? $"`{Convert.ToString(value, CultureInfo.InvariantCulture)}`" : string.Empty;
    }

    private static string Cell(string? text) => (text ?? string.Empty).Replace("<", "&lt;", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Anchor(string heading)
        => new(heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-').Select(c => c == ' ' ? '-' : c).ToArray());

    private static string RepositoryRoot([CallerFilePath] string here = "")
    {
        var directory = new DirectoryInfo(Path.GetDirectoryName(here)!);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReJot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ReJot.sln not found above " + here);
    }
}
