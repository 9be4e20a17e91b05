using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReJot.Schemas;
using ReJot.Sync.Hosting;
using ReJot.Sync.Tests.Engine;
using ReJot.TestSupport;

namespace ReJot.Sync.Tests.Hosting;

public sealed class AddReJotSyncTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rejot-hosting-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_generic_host_syncs_with_a_manifest_file_connection_strings_from_configuration_and_reports_healthy()
    {
        await using var h = await SyncHarness.CreateAsync(postgres, "hosting",
            "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric);",
            "CREATE TABLE order_accounts (id bigint PRIMARY KEY, name text NOT NULL);");
        var manifest = Path.Combine(_directory, "rejot-manifest.json");
        File.WriteAllText(manifest, """
            {"slug": "accounts-service", "manifestVersion": 0,
             "publicSchemas": [{"name": "account", "source": {"dataStoreSlug": "source"}, "version": {"major": 1, "minor": 0}, "keys": ["id"],
               "outputSchema": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id", "name"]},
               "config": {"publicSchemaType": "postgres", "transformations": [
                 {"operation": "insert", "table": "accounts", "sql": "SELECT id, name FROM accounts WHERE id = :id"},
                 {"operation": "update", "table": "accounts", "sql": "SELECT id, name FROM accounts WHERE id = :id"}]}}],
             "consumerSchemas": [{"name": "into-orders", "sourceManifestSlug": "accounts-service", "publicSchema": {"name": "account", "majorVersion": 1},
               "config": {"consumerSchemaType": "postgres", "destinationDataStoreSlug": "destination",
                 "sql": "INSERT INTO order_accounts (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name",
                 "deleteSql": "DELETE FROM order_accounts WHERE id = :id"}}]}
            """);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:source"] = h.SourceConnectionString,
            ["ConnectionStrings:destination"] = h.DestinationConnectionString,
            ["ReJot:ManifestPaths:0"] = manifest,
            ["ReJot:UseGeneratedManifests"] = "false",
            ["ReJot:DataStores:source:SlotName"] = h.SlotName,
            ["ReJot:HeartbeatInterval"] = "00:00:00.500",
        });
        builder.Services.AddReJotSync();
        builder.Services.AddReJotSync(o => o.ApplyBatchSize = 10);
        using var host = builder.Build();
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s is ReJotSyncHostedService);
        Assert.Equal(10, host.Services.GetRequiredService<IOptions<ReJotSyncOptions>>().Value.ApplyBatchSize);

        await host.StartAsync(Ct);
        await host.Services.GetRequiredService<ReJotSyncRuntime>().WhenStartedAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await h.ExecuteAsync(h.Source, "INSERT INTO accounts VALUES (1, 'Ada', NULL)");
        await Eventually.WaitAsync(async () => await h.ScalarAsync<long>(h.Destination, "SELECT count(*) FROM order_accounts") == 1, "the row through the hosted engine");

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        var status = host.Services.GetRequiredService<IReJotSyncStatus>().GetStatus();
        Assert.Equal(SyncState.Started, status.State);
        Assert.Equal(h.SlotName, status.Sources.Single().SlotName);

        await host.StopAsync(Ct);
        Assert.Equal(SyncState.Stopped, host.Services.GetRequiredService<IReJotSyncStatus>().GetStatus().State);
    }

    [Fact]
    public void Generated_manifests_can_be_limited_to_named_assemblies_and_a_missing_one_is_named()
    {
        GeneratedManifest Fragment(string assembly, string slug) => new(assembly, slug, $$"""{"slug":"{{slug}}","manifestVersion":0}""");
        var registered = new[] { Fragment("Shop.Contracts", "accounts"), Fragment("Shop.Orders", "orders"), Fragment("Shop.Accounts", "accounts") };

        Assert.Equal(3, ReJotSyncRuntime.SelectGeneratedManifests(registered, []).Count);
        var selected = ReJotSyncRuntime.SelectGeneratedManifests(registered, ["Shop.Accounts", "Shop.Contracts"]);
        Assert.Equal(["Shop.Contracts", "Shop.Accounts"], selected.Select(m => m.AssemblyName));

        var error = Assert.ThrowsAny<Exception>(() => ReJotSyncRuntime.SelectGeneratedManifests(registered, ["Shop.Orders", "Shop.Billing"]));
        Assert.Contains("assembly 'Shop.Billing'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Shop.Orders", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseGeneratedManifestsFrom_records_each_assembly_once_in_the_options()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddReJotSync().UseGeneratedManifestsFrom(typeof(AddReJotSyncTests).Assembly, typeof(AddReJotSyncTests).Assembly);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ReJotSyncOptions>>().Value;
        Assert.Equal(["ReJot.Sync.Tests"], options.GeneratedManifestAssemblies);
    }

    [Fact]
    public async Task Invalid_options_fail_the_host_at_start_with_the_option_named()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:ApplyBatchSize"] = "0", ["ReJot:UseGeneratedManifests"] = "false" });
        builder.Services.AddReJotSync();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("ApplyBatchSize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-1")]
    [InlineData("5000000000")]
    public async Task A_spool_size_budget_out_of_range_fails_the_host_at_start_with_the_option_named(string value)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:SpoolMaxInMemoryBytes"] = value, ["ReJot:UseGeneratedManifests"] = "false" });
        builder.Services.AddReJotSync();
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("SpoolMaxInMemoryBytes", error.Message, StringComparison.Ordinal);
    }
}
