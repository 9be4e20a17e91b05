using ReJot.Schemas.Generator.Json;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>
/// Emits the manifest fragment as a constant, the module initializer that registers it with
/// <c>GeneratedManifests</c>, the assembly's slug attribute (so referencing assemblies see the slug) and,
/// on targets without it, a <c>ModuleInitializerAttribute</c> polyfill.
/// </summary>
internal static class RegistryEmitter
{
    public const string HintName = "ReJotManifest.g.cs";
    public const string ClassName = "ReJotGeneratedManifest";

    public static string Emit(ManifestSpec manifest)
    {
        var json = JsonWriter.Write(ManifestJson.Fragment(manifest), indented: false);
        var writer = GeneratedCode.Header(manifest.NullableDirective);
        if (manifest.EmitSlugAttribute)
        {
            writer.WriteLine("[assembly: global::ReJot.Schemas.ReJotManifest(" + GeneratedCode.Literal(manifest.Slug) + ")]").WriteLine();
        }

        writer.OpenBlock("namespace ReJot.Generated");
        writer.WriteLine("/// <summary>The ReJot manifest fragment of this assembly: its public and consumer schemas.</summary>")
            .WriteLine(GeneratedCode.Attribute)
            .OpenBlock("internal static class " + ClassName)
            .WriteLine("/// <summary>The manifest slug.</summary>")
            .WriteLine("public const string Slug = " + GeneratedCode.Literal(manifest.Slug) + ";")
            .WriteLine()
            .WriteLine("/// <summary>The manifest fragment (ReJot <c>manifestVersion: 0</c>): slug, public and consumer schemas.</summary>")
            .WriteLine("public const string Json = " + GeneratedCode.Literal(json) + ";");

        if (manifest.CanRegister)
        {
            writer.WriteLine()
                .WriteLine("/// <summary>Registers the fragment with <see cref=\"global::ReJot.Schemas.GeneratedManifests\"/> when the assembly loads.</summary>")
                .WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]")
                .OpenBlock("internal static void Register()")
                .WriteLine("global::ReJot.Schemas.GeneratedManifests.Register(new global::ReJot.Schemas.GeneratedManifest("
                    + GeneratedCode.Literal(manifest.AssemblyName) + ", Slug, Json));")
                .CloseBlock();
        }

        writer.CloseBlock().CloseBlock();

        if (manifest.CanRegister && !manifest.HasModuleInitializerAttribute)
        {
            writer.WriteLine()
                .OpenBlock("namespace System.Runtime.CompilerServices")
                .WriteLine(GeneratedCode.Attribute)
                .WriteLine("[global::System.AttributeUsage(global::System.AttributeTargets.Method, Inherited = false)]")
                .OpenBlock("internal sealed class ModuleInitializerAttribute : global::System.Attribute")
                .CloseBlock()
                .CloseBlock();
        }

        return writer.ToString();
    }
}
