using System.Text.Json.Nodes;
using ReJot.Manifest;

namespace ReJot.Cli.Tests;

public sealed class ManifestInitAndInfoTests
{
    [Fact]
    public async Task Init_creates_an_empty_manifest_with_schema_url()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("manifest", "init", "--slug", "accounts-service");

        CliAssert.Succeeds(result);
        Assert.Contains("Created manifest 'accounts-service'", result.Output, StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(cli.ManifestPath))!.AsObject();
        Assert.Equal(["slug", "manifestVersion", "$schema", "connections", "dataStores", "eventStores", "publicSchemas", "consumerSchemas"], json.Select(p => p.Key));
        Assert.Equal(ManifestJsonSchema.DefaultSchemaUrl, (string?)json["$schema"]);
    }

    [Fact]
    public async Task Init_honours_manifest_path()
    {
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.File("svc"));

        CliAssert.Succeeds(await cli.RunAsync("manifest", "init", "--slug", "a", "--manifest", "svc/m.json"));

        Assert.Equal("a", (await cli.ReadManifestAsync(cli.File("svc/m.json"))).Slug);
    }

    [Fact]
    public async Task Init_refuses_to_overwrite()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();

        CliAssert.Fails(await cli.RunAsync("manifest", "init", "--slug", "other"), 1, "Manifest file already exists");
        Assert.Equal("accounts-service", (await cli.ReadManifestAsync()).Slug);
    }

    [Theory]
    [InlineData("Accounts")]
    [InlineData("with space")]
    [InlineData("under_score")]
    public async Task Init_rejects_invalid_slugs(string slug)
    {
        using var cli = new CliHarness();

        CliAssert.Fails(await cli.RunAsync("manifest", "init", "--slug", slug), 1, $"Invalid slug '{slug}'");
        Assert.False(File.Exists(cli.ManifestPath));
    }

    [Fact]
    public async Task Init_without_slug_is_a_usage_error()
    {
        using var cli = new CliHarness();

        var result = await cli.RunAsync("manifest", "init");

        CliAssert.Fails(result, 2, "--slug");
        Assert.Contains("Run 'rejot manifest init --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_into_a_missing_directory_says_so()
    {
        using var cli = new CliHarness();

        CliAssert.Fails(await cli.RunAsync("manifest", "init", "--slug", "a", "--manifest", "nope/m.json"), 1, "Directory does not exist");
    }

    [Fact]
    public async Task Info_prints_a_valid_manifest_with_masked_passwords()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "accounts", "--connection-string", "postgresql://app:hunter2@db/accounts"));
        CliAssert.Succeeds(await cli.RunAsync("manifest", "datastore", "add", "--connection", "accounts", "--publication", "rejot_publication", "--slot", "rejot_slot"));
        CliAssert.Succeeds(await cli.RunAsync("manifest", "eventstore", "add", "--connection", "accounts"));

        var result = await cli.RunAsync("manifest", "info");

        CliAssert.Succeeds(result);
        Assert.Contains("accounts: postgresql://app:****@db:5432/accounts", result.Output, StringComparison.Ordinal);
        Assert.Contains("publication 'rejot_publication', slot 'rejot_slot'", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_prints_warnings_but_succeeds()
    {
        using var cli = new CliHarness();
        await cli.InitAsync();
        CliAssert.Succeeds(await cli.RunAsync("manifest", "connection", "add", "--slug", "spare", "--connection-string", "postgresql://u:p@h/d"));

        var result = await cli.RunAsync("manifest", "info");

        CliAssert.Succeeds(result);
        Assert.Contains("warning UNUSED_CONNECTION: Connection 'spare'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_of_a_consumer_of_an_external_manifest_fails_with_MANIFEST_NOT_FOUND()
    {
        using var cli = new CliHarness();
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "original-to-orders.json"), cli.ManifestPath);

        var result = await cli.RunAsync("manifest", "info");

        CliAssert.Fails(result, 1, "error MANIFEST_NOT_FOUND: Consumer schema 'orders-schema' references manifest 'fromaccounts'");
        Assert.Contains("  at manifest 'to-orders' at rejot-manifest.json, consumerSchema.sourceManifestSlug: fromaccounts", result.Error, StringComparison.Ordinal);
        Assert.Contains("  hint: Ensure all referenced manifests are included in the workspace", result.Error, StringComparison.Ordinal);
        Assert.Contains("1 error, 0 warnings.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_reports_every_diagnostic_with_its_type_name()
    {
        using var cli = new CliHarness();
        cli.Write("rejot-manifest.json", """
            {"slug":"a","manifestVersion":0,
             "connections":[{"slug":"c","config":{"connectionType":"postgres","host":"h","port":1,"user":"u","password":"p","database":"d"}}],
             "dataStores":[{"connectionSlug":"c","config":{"connectionType":"postgres","slotName":"Bad-Slot","publicationName":"p"}},{"connectionSlug":"missing"}],
             "eventStores":[{"connectionSlug":"gone"}]}
            """);

        var result = await cli.RunAsync("manifest", "info");

        CliAssert.Fails(result, 1, "error CONNECTION_NOT_FOUND");
        Assert.Contains("error INVALID_SLOT_NAME", result.Error, StringComparison.Ordinal);
        Assert.Contains("3 errors, 0 warnings.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_on_a_missing_manifest_says_how_to_create_one()
    {
        using var cli = new CliHarness();

        CliAssert.Fails(await cli.RunAsync("manifest", "info"), 1, "Manifest file not found: rejot-manifest.json. Create one with 'rejot manifest init --slug <slug>'");
    }

    [Fact]
    public async Task Info_on_broken_json_names_file_line_and_column()
    {
        using var cli = new CliHarness();
        cli.Write("rejot-manifest.json", "{\n  \"slug\": \"a\",\n  \"manifestVersion\": \"zero\"\n}");

        var result = await cli.RunAsync("manifest", "info");

        CliAssert.Fails(result, 1, "rejot-manifest.json:3:22: manifestVersion: expected an integer, found a string.");
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Info_on_an_unknown_manifest_version_is_one_line()
    {
        using var cli = new CliHarness();
        cli.Write("rejot-manifest.json", "{\"slug\": \"a\", \"manifestVersion\": 3}");

        CliAssert.Fails(await cli.RunAsync("manifest", "info"), 1, "unsupported manifestVersion 3");
    }
}
