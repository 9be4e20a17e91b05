using System.Globalization;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>
/// Emits the merged manifest file between markers in a C# comment. A generator cannot write files, so the
/// package's MSBuild target (and <c>rejot collect --write</c>) cut the JSON out of this generated file and
/// write it to the manifest path. The file compiles to nothing.
/// </summary>
internal static class ManifestFileEmitter
{
    public const string HintName = "ReJotManifestFile.g.cs";
    public const string Begin = "/*REJOT-MANIFEST-BEGIN";
    public const string End = "REJOT-MANIFEST-END*/";
    public const string ErrorMarker = "// REJOT-MANIFEST-ERROR: ";
    public const string ChangesMarker = "// REJOT-MANIFEST-CHANGES: ";

    public static string Emit(MergeResult result, bool nullableDirective)
    {
        var writer = GeneratedCode.Header(nullableDirective);
        if (result.Error is not null)
        {
            return writer.WriteLine(ErrorMarker + result.Error.Replace('\n', ' ').Replace('\r', ' ')).ToString();
        }

        writer.WriteLine(ChangesMarker + string.Format(CultureInfo.InvariantCulture,
            "added={0} updated={1} removed={2} unchanged={3}", result.Added, result.Updated, result.Removed, result.Unchanged));
        return writer.ToString() + Begin + "\n" + result.Json + End + "\n";
    }
}
