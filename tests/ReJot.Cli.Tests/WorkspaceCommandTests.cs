using ReJot.Manifest;

namespace ReJot.Cli.Tests;

public sealed class WorkspaceCommandTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    [Fact]
    public async Task Init_creates_the_root_in_the_working_directory()
    {
        using var cli = new CliHarness();

        CliAssert.Succeeds(await cli.RunAsync("workspace", "init", "--slug", "shop"));
        CliAssert.Succeeds(await cli.RunAsync("workspace", "init", "--slug", "other", "--filename", "other.json"));

        Assert.Equal("shop", (await cli.ReadManifestAsync()).Slug);
        Assert.Equal("other", (await cli.ReadManifestAsync(cli.File("other.json"))).Slug);
        CliAssert.Fails(await cli.RunAsync("workspace", "init", "--slug", "shop"), 1, "already exists");
    }

    [Fact]
    public async Task Info_finds_the_root_upward_and_verifies_all_manifests()
    {
        using var cli = new CliHarness();
        var root = ManifestDocument.CreateEmpty("shop");
        root.Workspaces = ["accounts/rejot-manifest.json", "orders/rejot-manifest.json"];
        cli.Write("rejot-manifest.json", ManifestSerializer.Write(root));
        cli.Write("accounts/rejot-manifest.json", Fixture("original-fromaccounts.json").Replace("\"eventstore\"", "\"accounts\"", StringComparison.Ordinal));
        cli.Write("orders/rejot-manifest.json", Fixture("original-to-orders.json"));
        Directory.CreateDirectory(cli.File("orders/src"));

        var result = await cli.RunInAsync(cli.File("orders/src"), "workspace", "info");

        CliAssert.Succeeds(result);
        Assert.Contains($"Workspace root: {cli.ManifestPath}", result.Output, StringComparison.Ordinal);
        Assert.Contains("Manifest 'fromaccounts'", result.Output, StringComparison.Ordinal);
        Assert.Contains("orders-schema: fromaccounts/accounts-schema v1 into 'orders'", result.Output, StringComparison.Ordinal);
        Assert.Contains("Workspace is valid (3 manifests).", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("postgres@", result.Output.Replace("postgres:****@", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_fails_on_missing_children_and_external_references()
    {
        using var cli = new CliHarness();
        var root = ManifestDocument.CreateEmpty("shop");
        root.Workspaces = ["orders/rejot-manifest.json", "gone/rejot-manifest.json"];
        cli.Write("rejot-manifest.json", ManifestSerializer.Write(root));
        cli.Write("orders/rejot-manifest.json", Fixture("original-to-orders.json"));

        var result = await cli.RunAsync("workspace", "info");

        CliAssert.Fails(result, 1, "error WORKSPACE_MANIFEST_NOT_FOUND: Workspace entry 'gone/rejot-manifest.json' does not exist");
        Assert.Contains("error MANIFEST_NOT_FOUND", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_without_any_manifest_says_how_to_start()
    {
        using var cli = new CliHarness();

        CliAssert.Fails(await cli.RunAsync("workspace", "info", "--filename", "no-such-manifest.json"), 1, "rejot workspace init --slug <slug>");
    }

    [Fact]
    public async Task Info_reports_an_unreadable_root_in_one_line()
    {
        using var cli = new CliHarness();
        cli.Write("rejot-manifest.json", "{\"slug\": ");

        var result = await cli.RunAsync("workspace", "info");

        CliAssert.Fails(result, 1, "rejot-manifest.json:1:");
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
