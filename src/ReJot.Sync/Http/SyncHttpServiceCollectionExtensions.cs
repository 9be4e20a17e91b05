using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReJot.Sync.EventStore;

namespace ReJot.Sync.Http;

/// <summary>
/// Registers the federation services for the engine's <c>AddReJotSync</c>: <see cref="ReJotHttpOptions"/> (from
/// <c>ReJot:Http</c>), the <see cref="ISyncServiceResolver"/> (selected by <c>--resolver</c> / <c>ReJot:Resolver</c>,
/// default <c>env</c> as the original) and the <see cref="IRemoteEventSourceFactory"/> that reads other services'
/// <c>/read</c>. Idempotent (TryAdd).
/// </summary>
internal static class SyncHttpServiceCollectionExtensions
{
    public const string ResolverKey = "ReJot:Resolver";
    public const string ApiPortKey = "ReJot:ApiPort";
    public const int DefaultApiPort = 3000;

    private static readonly Lazy<HttpClient> s_client = new(RemoteEventSourceFactory.CreateHttpClient);

    /// <param name="services">The service collection.</param>
    /// <param name="resolverName">Overrides <c>ReJot:Resolver</c> (the CLI passes <c>--resolver</c>).</param>
    /// <param name="apiPort">Overrides <c>ReJot:ApiPort</c> for the <c>localhost</c> resolver (the CLI passes <c>--api-port</c>).</param>
    public static IServiceCollection AddReJotSyncHttp(this IServiceCollection services, string? resolverName = null, int? apiPort = null)
    {
        services.TryAddSingleton(sp => ReJotHttpOptions.FromConfiguration(Configuration(sp)));
        services.TryAddSingleton<ISyncServiceResolver>(sp =>
        {
            var configuration = Configuration(sp);
            var port = apiPort ?? (int.TryParse(configuration[ApiPortKey], out var configured) ? configured : DefaultApiPort);
            return SyncServiceResolvers.Create(resolverName ?? configuration[ResolverKey] ?? "env", configuration, port);
        });
        services.TryAddSingleton<IRemoteEventSourceFactory>(sp =>
            new RemoteEventSourceFactory(s_client.Value, sp.GetRequiredService<ISyncServiceResolver>(), sp.GetRequiredService<ReJotHttpOptions>()));
        return services;
    }

    private static IConfiguration Configuration(IServiceProvider services)
        => services.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build();
}
