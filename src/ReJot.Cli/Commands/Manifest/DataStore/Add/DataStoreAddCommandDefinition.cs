using System.CommandLine;
using ReJot.Manifest;

namespace ReJot.Cli.Commands.Manifest.DataStore.Add;

/// <summary><c>rejot manifest datastore add --connection &lt;slug&gt; [--publication &lt;name&gt; --slot &lt;name&gt;]</c>.</summary>
internal sealed class DataStoreAddCommandDefinition : Command
{
    private readonly Option<string> _connection = new("--connection") { Description = "Slug of the connection the data store uses (it must exist).", Required = true };
    private readonly Option<string?> _publication = new("--publication") { Description = "Publication name (^[a-z0-9_]+$). With --slot, makes the store a replication source." };
    private readonly Option<string?> _slot = new("--slot") { Description = "Replication slot name (^[a-z0-9_]+$). With --publication, makes the store a replication source." };
    private readonly Option<string> _manifest = CommonOptions.Manifest();

    /// <summary>Creates the command.</summary>
    /// <param name="context">Shared CLI context.</param>
    public DataStoreAddCommandDefinition(CliContext context)
        : base("add", "Add a data store: a replication source (--publication and --slot) or, without them, a destination only.")
    {
        Options.Add(_connection);
        Options.Add(_publication);
        Options.Add(_slot);
        Options.Add(_manifest);
        Validators.Add(result =>
        {
            var publication = result.GetValue(_publication);
            var slot = result.GetValue(_slot);
            if ((publication is null) != (slot is null))
            {
                result.AddError("--publication and --slot go together: give both for a replication source, or neither for a destination-only store.");
            }

            foreach (var (option, value) in new[] { (_publication, publication), (_slot, slot) })
            {
                if (value is not null && (!ManifestVerifier.ReplicationNamePattern().IsMatch(value) || value.Length > 63))
                {
                    result.AddError($"{option.Name} '{value}' is not a valid PostgreSQL name: use lower-case letters, digits and '_' (at most 63), e.g. 'rejot_{option.Name.TrimStart('-')}'.");
                }
            }
        });
        var action = new DataStoreAddAction(context);
        this.SetCliAction(context, (result, token) => action.RunAsync(
            result.GetRequiredValue(_manifest), result.GetRequiredValue(_connection), result.GetValue(_publication), result.GetValue(_slot), token));
    }
}
