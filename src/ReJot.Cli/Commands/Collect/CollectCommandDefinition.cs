using System.CommandLine;

namespace ReJot.Cli.Commands.Collect;

/// <summary><c>rejot collect &lt;inputs…&gt; [--manifest &lt;path&gt;] [--check] [--print] [--write]</c>.</summary>
internal sealed class CollectCommandDefinition : Command
{
    private readonly Argument<string[]> _inputs = new("inputs")
    {
        Description = "C# files or folders, a .csproj, or a built assembly (.dll) that declares ReJot schemas.",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<string?> _manifest = new("--manifest")
    {
        Description = "The manifest to write into (default: the nearest rejot-manifest.json upwards, else ./rejot-manifest.json).",
        HelpName = "path",
    };

    private readonly Option<bool> _check = new("--check") { Description = "Run the ReJot analyzers; print every diagnostic; exit 1 on errors." };
    private readonly Option<bool> _print = new("--print") { Description = "Print the collected schemas (manifest fragment JSON)." };
    private readonly Option<bool> _write = new("--write") { Description = "Merge the schemas into the manifest (schemas from the same files are replaced, everything else kept)." };

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public CollectCommandDefinition(CliContext context)
        : base("collect", "Collect the ReJot schemas declared in C# (sources, a project or a built assembly) with the same generator and analyzers as the build.")
    {
        Arguments.Add(_inputs);
        Options.Add(_manifest);
        Options.Add(_check);
        Options.Add(_print);
        Options.Add(_write);
        var action = new CollectAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(
            new CollectRequest(
                result.GetValue(_inputs) ?? [],
                result.GetValue(_manifest),
                result.GetValue(_check),
                result.GetValue(_print),
                result.GetValue(_write),
                result.GetValue(CommonOptions.Verbose)),
            token));
    }
}

/// <summary>What <c>rejot collect</c> was asked to do.</summary>
/// <param name="Inputs">Paths as given.</param>
/// <param name="Manifest">The <c>--manifest</c> path, or null.</param>
/// <param name="Check">Run the analyzers.</param>
/// <param name="Print">Print the fragment.</param>
/// <param name="Write">Merge into the manifest.</param>
/// <param name="Verbose">More detail.</param>
internal sealed record CollectRequest(IReadOnlyList<string> Inputs, string? Manifest, bool Check, bool Print, bool Write, bool Verbose);
