using Microsoft.Extensions.Configuration;
using ReJot.Sync.Http;

namespace ReJot.Sync.Tests.Http;

public sealed class SyncServiceResolverTests
{
    [Fact]
    public void Env_resolver_reads_the_slug_verbatim_as_the_original()
    {
        var resolver = new EnvironmentResolver(new Dictionary<string, string> { ["REJOT_SYNC_SERVICE_fromaccounts"] = "rejot-sync-from-accounts:80" });

        Assert.Equal(new Uri("http://rejot-sync-from-accounts:80/"), resolver.TryResolve("fromaccounts"));
        Assert.Null(resolver.TryResolve("orders"));
    }

    [Fact]
    public void Env_resolver_also_accepts_the_upper_case_underscore_form_and_full_urls()
    {
        var resolver = new EnvironmentResolver(new Dictionary<string, string>
        {
            ["REJOT_SYNC_SERVICE_ACCOUNTS_SERVICE"] = "https://accounts.internal:8443",
            ["REJOT_SYNC_SERVICE_billing"] = "billing:9000",
            ["REJOT_SYNC_SERVICE_BILLING"] = "wrong:1",
        });

        Assert.Equal(new Uri("https://accounts.internal:8443/"), resolver.TryResolve("accounts-service"));
        Assert.Equal(new Uri("http://billing:9000/"), resolver.TryResolve("billing"));
    }

    [Fact]
    public void Env_resolver_reads_the_process_environment()
    {
        var slug = "svc" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable("REJOT_SYNC_SERVICE_" + slug, "127.0.0.1:5123");
        try
        {
            var resolver = SyncServiceResolvers.Create("env", new ConfigurationBuilder().Build(), apiPort: 3000);
            Assert.Equal(new Uri("http://127.0.0.1:5123/"), resolver.Resolve(slug));
        }
        finally
        {
            Environment.SetEnvironmentVariable("REJOT_SYNC_SERVICE_" + slug, null);
        }
    }

    [Fact]
    public void Env_resolver_rejects_a_value_that_is_not_an_address()
    {
        var error = Assert.Throws<SyncServiceResolutionException>(
            () => new EnvironmentResolver(new Dictionary<string, string> { ["REJOT_SYNC_SERVICE_x"] = "ftp://nope" }));
        Assert.Contains("REJOT_SYNC_SERVICE_x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unresolvable_slug_names_the_setting_to_add()
    {
        var env = new EnvironmentResolver(new Dictionary<string, string>());
        var error = Assert.Throws<SyncServiceResolutionException>(() => env.Resolve("accounts-service"));
        Assert.Contains("REJOT_SYNC_SERVICE_accounts-service=host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("REJOT_SYNC_SERVICE_ACCOUNTS_SERVICE", error.Message, StringComparison.Ordinal);

        var statics = SyncServiceResolvers.Create("static", new ConfigurationBuilder().Build(), 0);
        Assert.Contains("ReJot:Resolvers:orders", Assert.Throws<SyncServiceResolutionException>(() => statics.Resolve("orders")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Static_resolver_maps_slugs_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReJot:Resolvers:accounts-service"] = "http://accounts:8080",
            ["ReJot:Resolvers:billing"] = "billing.example:443",
        }).Build();

        var resolver = SyncServiceResolvers.Create("static", configuration, 0);

        Assert.Equal("static", resolver.Name);
        Assert.Equal(new Uri("http://accounts:8080/"), resolver.TryResolve("accounts-service"));
        Assert.Equal(new Uri("http://billing.example:443/"), resolver.TryResolve("billing"));
        Assert.Null(resolver.TryResolve("orders"));
    }

    [Fact]
    public void Static_resolver_rejects_an_invalid_url_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Resolvers:x"] = "::" }).Build();
        var error = Assert.Throws<SyncServiceResolutionException>(() => SyncServiceResolvers.Create("static", configuration, 0));
        Assert.Contains("ReJot:Resolvers:x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_resolver_uses_the_original_service_name_pattern()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Kubernetes:Namespace"] = "shop" }).Build();

        var resolver = SyncServiceResolvers.Create("kubernetes", configuration, 0);

        Assert.Equal(new Uri("http://rejot-manifest-accounts.shop.svc.cluster.local/"), resolver.TryResolve("accounts"));
    }

    [Fact]
    public void Kubernetes_resolver_pattern_scheme_and_port_are_configurable()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReJot:Kubernetes:Namespace"] = "prod",
            ["ReJot:Kubernetes:Pattern"] = "{slug}-sync.{namespace}",
            ["ReJot:Kubernetes:Scheme"] = "https",
            ["ReJot:Kubernetes:Port"] = "8443",
        }).Build();

        var resolver = SyncServiceResolvers.Create("k8s", configuration, 0);

        Assert.Equal(new Uri("https://accounts-service-sync.prod:8443/"), resolver.TryResolve("Accounts_Service"));
    }

    [Fact]
    public void Localhost_resolver_sends_every_slug_to_the_api_port()
    {
        var resolver = SyncServiceResolvers.Create("localhost", new ConfigurationBuilder().Build(), apiPort: 3000);
        Assert.Equal(new Uri("http://localhost:3000/"), resolver.TryResolve("anything"));
    }

    [Fact]
    public void Unknown_resolver_name_lists_the_valid_ones()
    {
        var error = Assert.Throws<SyncServiceResolutionException>(() => SyncServiceResolvers.Create("dns", new ConfigurationBuilder().Build(), 0));
        Assert.Contains("localhost, env, static, kubernetes", error.Message, StringComparison.Ordinal);
    }
}
