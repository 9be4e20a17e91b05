namespace ReJot.Cli.Tests.Backfill;

/// <summary>The checks <c>rejot backfill</c> makes before it contacts the event store.</summary>
public sealed class BackfillCommandTests
{
    private const string Manifest = """
        {"slug": "accounts-service", "manifestVersion": 0,
         "connections": [{"slug": "source", "config": {"connectionType": "postgres", "host": "127.0.0.1", "port": 1, "user": "u", "password": "p", "database": "d"}}],
         "dataStores": [{"connectionSlug": "source", "config": {"connectionType": "postgres", "publicationName": "rejot_pub", "slotName": "rejot_slot"}}],
         "publicSchemas": [{"name": "account", "source": {"dataStoreSlug": "source"}, "version": {"major": 1, "minor": 0}, "keys": ["id"],
           "outputSchema": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
           "config": {"publicSchemaType": "postgres", "transformations": [{"operation": "insert", "table": "accounts", "sql": "SELECT id FROM accounts WHERE id = :id"}]}}],
         "consumerSchemas": [{"name": "ledger", "sourceManifestSlug": "accounts-service", "publicSchema": {"name": "account", "majorVersion": 1},
           "config": {"consumerSchemaType": "postgres", "destinationDataStoreSlug": "source", "sql": "SELECT :id"}}]}
        """;

    private static CliHarness WithManifest()
    {
        var cli = new CliHarness();
        cli.Write("rejot-manifest.json", Manifest);
        return cli;
    }

    [Fact]
    public async Task Backfill_without_a_public_schema_or_list_says_what_to_pass()
    {
        using var cli = WithManifest();
        CliAssert.Fails(await cli.RunAsync("backfill"), 1, "--list");
    }

    [Fact]
    public async Task Backfill_for_an_unknown_consumer_names_the_known_ones()
    {
        using var cli = WithManifest();
        var result = await cli.RunAsync("backfill", "account", "--for-consumer", "billing");
        CliAssert.Fails(result, 1, "accounts-service/ledger");
        Assert.Contains("--remote-consumer", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_for_a_remote_consumer_needs_its_full_name_and_remote_consumer_needs_for_consumer()
    {
        using var cli = WithManifest();
        CliAssert.Fails(await cli.RunAsync("backfill", "account", "--for-consumer", "billing", "--remote-consumer"), 1, "manifest-slug/consumer-name");
        CliAssert.Fails(await cli.RunAsync("backfill", "account", "--remote-consumer"), 1, "--for-consumer");
    }
}
