using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using ReJot.Sync.Http;

namespace ReJot.Sync.Tests.Http;

public sealed class BearerTokenAuthenticationTests
{
    [Fact]
    public void Only_configured_tokens_are_valid_including_each_of_several()
    {
        var options = new ReJotHttpOptions();
        options.Tokens.Add("first-secret");
        options.Tokens.Add("second-secret");
        var authentication = new BearerTokenAuthentication(options);

        Assert.True(authentication.IsValid("first-secret"));
        Assert.True(authentication.IsValid("second-secret"));
        Assert.False(authentication.IsValid("first-secre"));
        Assert.False(authentication.IsValid("first-secret "));
        Assert.False(authentication.IsValid(string.Empty));
        Assert.False(authentication.IsValid(null));
    }

    [Fact]
    public void Token_comparison_uses_fixed_time_equality_over_hashes()
    {
        // Guard against a refactoring to string equality (which leaks timing): the source must keep the constant-time compare.
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ReJot.Sync", "Http", "BearerTokenAuthentication.cs"));
        Assert.Contains("CryptographicOperations.FixedTimeEquals", source, StringComparison.Ordinal);
        Assert.Contains("SHA256.HashData", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", false)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("http://[::1]:5000", false)]
    [InlineData("http://0.0.0.0:5000", true)]
    [InlineData("http://[::]:5000", true)]
    [InlineData("http://*:5000", true)]
    [InlineData("http://+:5000", true)]
    [InlineData("https://10.1.2.3:443", true)]
    public void Listening_beyond_loopback_is_detected_from_the_server_addresses(string address, bool beyond)
    {
        Assert.Equal(beyond, BearerTokenAuthentication.ListensBeyondLoopback(new FakeServer(address)));
    }

    [Fact]
    public void Tokens_and_client_tokens_bind_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReJot:Http:Tokens:0"] = "a",
            ["ReJot:Http:Tokens:1"] = "b",
            ["ReJot:Http:RequireAuthentication"] = "true",
            ["ReJot:Http:ClientToken"] = "default-token",
            ["ReJot:Http:ClientTokens:accounts"] = "accounts-token",
            ["ReJot:Http:MaxWait"] = "00:00:05",
        }).Build();

        var options = ReJotHttpOptions.FromConfiguration(configuration);

        Assert.Equal(["a", "b"], options.Tokens);
        Assert.True(options.RequireAuthentication);
        Assert.Equal("accounts-token", options.ClientTokenFor("accounts"));
        Assert.Equal("default-token", options.ClientTokenFor("billing"));
        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxWait);

        var single = ReJotHttpOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ReJot:Http:Tokens"] = "x, y" }).Build());
        Assert.Equal(["x", "y"], single.Tokens);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ReJot.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ReJot.sln not found above the test output.");
    }

    private sealed class FakeServer : IServer
    {
        public FakeServer(string address)
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(addresses);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public void Dispose()
        {
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
