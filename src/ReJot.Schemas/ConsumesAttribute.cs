namespace ReJot.Schemas;

/// <summary>
/// Names the public schema a <see cref="ConsumerSchemaAttribute"/> consumes, by the publishing manifest's
/// slug, the public schema's name and its major version.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class ConsumesAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="manifestSlug">The slug of the manifest that publishes the schema (see <see cref="ReJotManifestAttribute"/>).</param>
    /// <param name="publicSchema">The public schema name.</param>
    public ConsumesAttribute(string manifestSlug, string publicSchema)
    {
        ManifestSlug = manifestSlug;
        PublicSchema = publicSchema;
    }

    /// <summary>The slug of the manifest that publishes the schema.</summary>
    public string ManifestSlug { get; }

    /// <summary>The public schema name.</summary>
    public string PublicSchema { get; }

    /// <summary>The major version consumed. Defaults to 1.</summary>
    public int Major { get; set; } = 1;
}
