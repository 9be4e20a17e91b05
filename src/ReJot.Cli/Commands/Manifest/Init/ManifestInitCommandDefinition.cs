using System.CommandLine;

namespace ReJot.Cli.Commands.Manifest.Init;

/// <summary><c>rejot manifest init --slug &lt;slug&gt; [--manifest &lt;path&gt;]</c>.</summary>
internal sealed class ManifestInitCommandDefinition : Command
{
    private readonly Option<string> _slug = new("--slug")
    {
        Description = "Slug of the new manifest: lower-case letters, digits and hyphens (e.g. accounts-service).",
        Required = true,
    };

    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ManifestInitCommandDefinition(CliContext context)
        : base("init", "Create a new, empty manifest file. Fails if the file exists.")
    {
        Options.Add(_slug);
        Options.Add(_manifest);
        var action = new ManifestInitAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(result.GetRequiredValue(_manifest), result.GetRequiredValue(_slug), token));
    }
}
