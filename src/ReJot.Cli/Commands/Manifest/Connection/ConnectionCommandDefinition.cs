using System.CommandLine;
using ReJot.Cli.Commands.Manifest.Connection.Add;
using ReJot.Cli.Commands.Manifest.Connection.List;
using ReJot.Cli.Commands.Manifest.Connection.Remove;
using ReJot.Cli.Commands.Manifest.Connection.Update;

namespace ReJot.Cli.Commands.Manifest.Connection;

/// <summary><c>rejot manifest connection add|update|remove|list</c>.</summary>
internal sealed class ConnectionCommandDefinition : Command
{
    /// <summary>Creates the command group.</summary>
    /// <param name="context">Shared CLI context.</param>
    public ConnectionCommandDefinition(CliContext context)
        : base("connection", "Manage the manifest's database connections.")
    {
        Subcommands.Add(new ConnectionAddCommandDefinition(context));
        Subcommands.Add(new ConnectionUpdateCommandDefinition(context));
        Subcommands.Add(new ConnectionRemoveCommandDefinition(context));
        Subcommands.Add(new ConnectionListCommandDefinition(context));
    }
}
