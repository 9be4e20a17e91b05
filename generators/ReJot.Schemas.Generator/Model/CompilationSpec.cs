namespace ReJot.Schemas.Generator.Model;

/// <summary>What the generator needs to know about the compilation as a whole.</summary>
/// <param name="AssemblyName">The assembly name.</param>
/// <param name="ExplicitSlug">The slug of <c>[assembly: ReJotManifest]</c>, or null.</param>
/// <param name="CanRegister">Whether <c>GeneratedManifests</c> is referenced and C# 9 module initializers are available.</param>
/// <param name="HasModuleInitializerAttribute">Whether the target framework provides <c>ModuleInitializerAttribute</c> (else a polyfill is emitted).</param>
internal sealed record CompilationSpec(
    string AssemblyName,
    string? ExplicitSlug,
    bool CanRegister,
    bool HasModuleInitializerAttribute);

/// <summary>The manifest file the build asked to merge into (an AdditionalFiles item marked <c>ReJotManifest="true"</c>).</summary>
/// <param name="Path">The manifest's full path.</param>
/// <param name="Text">Its current content, or null when the file does not exist yet.</param>
internal sealed record ManifestFileSpec(string Path, string? Text);

/// <summary>Everything that goes into the manifest fragment.</summary>
internal sealed record ManifestSpec(
    string AssemblyName,
    string Slug,
    bool CanRegister,
    bool HasModuleInitializerAttribute,
    bool EmitSlugAttribute,
    bool NullableDirective,
    EquatableArray<PublicSchemaSpec> PublicSchemas,
    EquatableArray<ConsumerSchemaSpec> ConsumerSchemas);
