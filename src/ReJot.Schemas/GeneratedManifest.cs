namespace ReJot.Schemas;

/// <summary>
/// The manifest fragment that the ReJot source generator produced for one assembly: its public and
/// consumer schemas in the ReJot <c>manifestVersion: 0</c> JSON shape (no connections or data stores).
/// </summary>
public sealed class GeneratedManifest
{
    /// <summary>Creates a generated manifest. Called by generated code.</summary>
    /// <param name="assemblyName">The name of the assembly that declares the schemas.</param>
    /// <param name="manifestSlug">The manifest slug of that assembly.</param>
    /// <param name="json">The manifest fragment: <c>{"slug":..,"manifestVersion":0,"publicSchemas":[..],"consumerSchemas":[..]}</c>.</param>
    public GeneratedManifest(string assemblyName, string manifestSlug, string json)
    {
        AssemblyName = assemblyName ?? throw new ArgumentNullException(nameof(assemblyName));
        ManifestSlug = manifestSlug ?? throw new ArgumentNullException(nameof(manifestSlug));
        Json = json ?? throw new ArgumentNullException(nameof(json));
    }

    /// <summary>The name of the assembly that declares the schemas.</summary>
    public string AssemblyName { get; }

    /// <summary>The manifest slug of that assembly.</summary>
    public string ManifestSlug { get; }

    /// <summary>The manifest fragment as JSON.</summary>
    public string Json { get; }

    /// <inheritdoc />
    public override string ToString() => AssemblyName + " (" + ManifestSlug + ")";
}
