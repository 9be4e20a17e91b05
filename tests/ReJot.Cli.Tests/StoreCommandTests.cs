namespace ReJot.Cli.Tests;

public sealed class StoreCommandTests
{
    private static async Task<CliHarness> WithConnectionAsync()
    {
        var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "accounts", "--connection-string", "postgresql://u:p@h/d"));
        return cli;
    }

    [Fact]
    public async Task Datastore_add_with_publication_and_slot_is_a_source()
    {
        using var cli = await WithConnectionAsync();

        var result = await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts", "--publication", "rejot_publication", "--slot", "rejot_slot");

        CliAssert.Succeeds(result);
        var store = Assert.Single((await cli.ReadManifestAsync()).DataStores!);
        Assert.Equal(("postgres", "rejot_publication", "rejot_slot"), (store.Config!.ConnectionType, store.Config.PublicationName, store.Config.SlotName));
    }

    [Fact]
    public async Task Datastore_add_without_them_is_destination_only()
    {
        using var cli = await WithConnectionAsync();

        CliAssert.Succeeds(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts"));

        Assert.Null(Assert.Single((await cli.ReadManifestAsync()).DataStores!).Config);
        Assert.Contains("destination only", (await cli.RunAsync("manifest", "datastore", "list")).Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--publication")]
    [InlineData("--slot")]
    public async Task Datastore_add_needs_publication_and_slot_together(string only)
    {
        using var cli = await WithConnectionAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts", only, "name"), 2, "--publication and --slot go together");
    }

    [Theory]
    [InlineData("Rejot-Pub", "rejot_slot")]
    [InlineData("rejot_pub", "slot name")]
    public async Task Datastore_add_checks_replication_names(string publication, string slot)
    {
        using var cli = await WithConnectionAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts", "--publication", publication, "--slot", slot), 2, "is not a valid PostgreSQL name");
        Assert.Empty((await cli.ReadManifestAsync()).DataStores!);
    }

    [Fact]
    public async Task Datastore_add_needs_an_existing_connection()
    {
        using var cli = await WithConnectionAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "datastore", "add", "--connection", "nope"), 1, "Connection 'nope' not found");
    }

    [Fact]
    public async Task Datastore_add_is_unique_per_connection()
    {
        using var cli = await WithConnectionAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts"));

        CliAssert.Fails(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts"), 1, "already exists");
    }

    [Fact]
    public async Task Datastore_remove_and_its_failure()
    {
        using var cli = await WithConnectionAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts"));

        CliAssert.Succeeds(await cli.RunAsync("manifest", "datastore", "remove", "accounts"));
        CliAssert.Fails(await cli.RunAsync("manifest", "datastore", "remove", "accounts"), 1, "Data store 'accounts' not found");
        Assert.Equal("No data stores.", (await cli.RunAsync("manifest", "datastore", "list")).Output.Trim());
    }

    [Fact]
    public async Task Datastore_remove_warns_about_schemas_that_still_use_it()
    {
        using var cli = new CliHarness();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "original-fromaccounts.json"), cli.ManifestPath);

        var result = await cli.RunAsync("manifest", "datastore", "remove", "accounts");

        CliAssert.Succeeds(result);
        Assert.Contains("warning: public schema 'accounts-schema' still reference data store 'accounts'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eventstore_add_list_remove()
    {
        using var cli = await WithConnectionAsync();

        CliAssert.Succeeds(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "accounts"));
        Assert.Equal("accounts", (await cli.RunAsync("manifest", "eventstore", "list")).Output.Trim());
        CliAssert.Succeeds(await cli.RunAsync("manifest", "eventstore", "remove", "accounts"));

        Assert.Equal("No event stores.", (await cli.RunAsync("manifest", "eventstore", "list")).Output.Trim());
    }

    [Fact]
    public async Task Eventstore_failures()
    {
        using var cli = await WithConnectionAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "accounts"));

        CliAssert.Fails(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "accounts"), 1, "already exists");
        CliAssert.Fails(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "nope"), 1, "Connection 'nope' not found");
        CliAssert.Fails(await cli.RunAsync("manifest", "eventstore", "add"), 2, "--connection");
        CliAssert.Fails(await cli.RunAsync("manifest", "eventstore", "remove", "nope"), 1, "Event store 'nope' not found");
    }
}
