namespace ReJot.Schemas;

/// <summary>
/// Names the ReJot manifest that the schemas of this assembly belong to.
/// </summary>
/// <remarks>
/// Optional. Without it the generator uses the MSBuild property <c>ReJotManifestSlug</c>, else the
/// assembly name in kebab-case (<c>Accounts.Service</c> becomes <c>accounts-service</c>).
/// Consumers in other services refer to this slug in <see cref="ConsumesAttribute"/>.
/// </remarks>
/// <example><code>[assembly: ReJotManifest("accounts-service")]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class ReJotManifestAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="slug">The manifest slug: lower-case letters, digits and dashes (e.g. <c>accounts-service</c>).</param>
    public ReJotManifestAttribute(string slug)
    {
        Slug = slug;
    }

    /// <summary>The manifest slug.</summary>
    public string Slug { get; }
}
