using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ReJot.Manifest;
using ReJot.Sync.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ReJot sync engine in any .NET host.</summary>
public static class ReJotSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sync engine: manifests from the build (<c>GeneratedManifests</c>) and any configured files,
    /// options from the <c>ReJot</c> section (validated on start), connection strings by data store slug from
    /// <c>ConnectionStrings</c>, a hosted service, a health check named <c>rejot-sync</c>, the <c>ReJot.Sync</c>
    /// meter and activity source. Calling it again only applies <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional code configuration, applied after the configuration section.</param>
    /// <returns>A builder for further ReJot configuration.</returns>
    public static ReJotSyncBuilder AddReJotSync(this IServiceCollection services, Action<ReJotSyncOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new ReJotSyncBuilder(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(ReJotSyncMarker)))
        {
            return builder;
        }

        services.AddSingleton<ReJotSyncMarker>();
        services.AddOptions<ReJotSyncOptions>()
            .BindConfiguration(ReJotSyncOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReJotSyncOptions>, ReJotSyncOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SyncMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<ReJotSyncRuntime>();
        services.TryAddSingleton<IReJotSyncStatus>(sp => sp.GetRequiredService<ReJotSyncRuntime>());
        services.TryAddSingleton<IReJotBackfills>(sp => sp.GetRequiredService<ReJotSyncRuntime>());
        services.TryAddSingleton<ReJot.Sync.Http.ISyncHttpBackend>(sp => sp.GetRequiredService<ReJotSyncRuntime>());
        ReJot.Sync.Http.SyncHttpServiceCollectionExtensions.AddReJotSyncHttp(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ReJotSyncHostedService>());
        services.AddHealthChecks().AddCheck<ReJotSyncHealthCheck>("rejot-sync", tags: ["rejot"]);
        return builder;
    }

    private sealed class ReJotSyncMarker;
}

/// <summary>Further configuration of the sync engine.</summary>
public sealed class ReJotSyncBuilder
{
    internal ReJotSyncBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a manifest file or workspace root to load at start.</summary>
    /// <param name="path">The manifest file path.</param>
    /// <returns>This builder.</returns>
    public ReJotSyncBuilder AddManifestFile(string path)
    {
        Services.Configure<ReJotSyncOptions>(o => o.ManifestPaths.Add(path));
        return this;
    }

    /// <summary>
    /// Loads the manifests generated at build time from these assemblies only, instead of from every assembly that
    /// registered one. Use it when one process hosts several services, or when a service references another
    /// service's contract assembly (whose public schemas it must not publish). Also makes sure each assembly's
    /// registration has run, which otherwise happens only once code of that assembly runs.
    /// </summary>
    /// <param name="assemblies">Assemblies that declare <c>[PublicSchema]</c> or <c>[ConsumerSchema]</c> types.</param>
    /// <returns>This builder.</returns>
    public ReJotSyncBuilder UseGeneratedManifestsFrom(params System.Reflection.Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        foreach (var assembly in assemblies)
        {
            ArgumentNullException.ThrowIfNull(assembly);
            // The generated registration is a module initializer: run it now, not when the assembly's code first runs.
            System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
            var name = assembly.GetName().Name!;
            Services.Configure<ReJotSyncOptions>(o =>
            {
                if (!o.GeneratedManifestAssemblies.Contains(name))
                {
                    o.GeneratedManifestAssemblies.Add(name);
                }
            });
        }

        return this;
    }

    /// <summary>Adds manifests already loaded in memory.</summary>
    /// <param name="manifests">The manifests.</param>
    /// <returns>This builder.</returns>
    public ReJotSyncBuilder AddManifests(IEnumerable<ManifestDocument> manifests)
    {
        Services.AddSingleton(new ManifestRegistration(manifests.ToList()));
        return this;
    }
}
