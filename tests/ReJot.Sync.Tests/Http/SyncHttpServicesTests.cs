using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReJot.Sync.EventStore;
using ReJot.Sync.Http;

namespace ReJot.Sync.Tests.Http;

public sealed class SyncHttpServicesTests
{
    [Fact]
    public void Resolver_is_selected_by_configuration_and_the_factory_uses_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReJot:Resolver"] = "static",
            ["ReJot:Resolvers:accounts-service"] = "http://accounts:8080",
            ["ReJot:Http:ClientToken"] = "t",
        }).Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddReJotSyncHttp().BuildServiceProvider();

        Assert.Equal("static", provider.GetRequiredService<ISyncServiceResolver>().Name);
        Assert.Equal("t", provider.GetRequiredService<ReJotHttpOptions>().ClientToken);
        var factory = provider.GetRequiredService<IRemoteEventSourceFactory>();
        Assert.NotNull(factory.TryCreate(new PublicSchemaKey("accounts-service", "account", 1)));
        Assert.Null(factory.TryCreate(new PublicSchemaKey("orders", "order", 1)));
    }

    [Fact]
    public void Command_line_resolver_overrides_configuration_and_env_is_the_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Resolver"] = "static" }).Build();
        using var cli = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddReJotSyncHttp("localhost", apiPort: 4321).BuildServiceProvider();
        Assert.Equal(new Uri("http://localhost:4321/"), cli.GetRequiredService<ISyncServiceResolver>().TryResolve("x"));

        using var defaults = new ServiceCollection().AddReJotSyncHttp().BuildServiceProvider();
        Assert.Equal("env", defaults.GetRequiredService<ISyncServiceResolver>().Name);
    }
}
