using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Info;

/// <summary><c>rejot manifest info [--manifest &lt;path&gt;]</c>.</summary>
internal sealed class ManifestInfoCommandDefinition : Command
{
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ManifestInfoCommandDefinition(CliContext context)
        : base("info", "Verify the manifest and print its connections, stores and schemas. Exits 1 when it has errors.")
    {
        Options.Add(_manifest);
        var action = new ManifestInfoAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), token));
    }
}
