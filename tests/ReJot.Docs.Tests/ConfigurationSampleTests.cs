using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReJot.Sync.Hosting;
using ReJot.Sync.Http;

namespace ReJot.Docs.Tests;

/// <summary>The configuration samples (JSON with a "ReJot" section) bind to the engine's options without unknown keys and pass validation.</summary>
public sealed class ConfigurationSampleTests
{
    // Keys of the ReJot section that are read by the HTTP services and resolvers, not bound to ReJotSyncOptions.
    private static readonly string[] s_notOptions = ["Resolver", "ApiPort", "Http", "Resolvers", "Kubernetes"];

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Repository.DocumentedFiles())
        {
            foreach (var block in Markdown.ReadBlocks(Repository.Root, file).Where(b => b.Language == "json" && b.Code.Contains("\"ReJot\"", StringComparison.Ordinal)))
            {
                data.Add(block.ToString());
            }
        }

        return data;
    }

    [Fact]
    public void The_readme_has_a_configuration_sample()
        => Assert.Contains(Samples().Select(row => (string)row.Data), s => s.StartsWith("README.md:", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_sample_binds_and_validates(string where)
    {
        var file = where[..where.LastIndexOf(':')];
        var block = Markdown.ReadBlocks(Repository.Root, file).Single(b => b.ToString() == where);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(block.Code))).Build();
        var section = configuration.GetSection(ReJotSyncOptions.SectionName);
        Assert.True(section.Exists(), $"{where} has no ReJot section.");

        var unknown = new List<string>();
        var probe = new ReJotSyncOptions();
        var optionKeys = section.GetChildren().Where(c => !s_notOptions.Contains(c.Key, StringComparer.Ordinal)).ToList();
        var trimmed = new ConfigurationBuilder().AddInMemoryCollection(optionKeys.SelectMany(c => c.AsEnumerable(makePathsRelative: false))).Build();
        var exception = Record.Exception(() => trimmed.GetSection(ReJotSyncOptions.SectionName).Bind(probe, o => o.ErrorOnUnknownConfiguration = true));
        Assert.True(exception is null, $"{where}: {exception?.Message}");

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddReJotSync();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ReJotSyncOptions>>().Value;   // runs the validators
        var http = ReJotHttpOptions.FromConfiguration(configuration);

        Assert.Equal(section["EventStore"], options.EventStore);
        Assert.Equal(section.GetSection("Http:Tokens").GetChildren().Count(), http.Tokens.Count);
        foreach (var store in section.GetSection("DataStores").GetChildren())
        {
            Assert.Equal(store["SlotName"], options.DataStores[store.Key].SlotName);
        }

        if (section["Resolver"] is { } resolver)
        {
            Assert.Contains(resolver, SyncServiceResolvers.Names);
        }
    }
}
