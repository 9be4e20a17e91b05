using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReJot.Manifest;

[JsonSourceGenerationOptions(
    WriteIndented = true,
    IndentSize = 2,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    NewLine = "\n")]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext
{
    private static ManifestJsonContext? _relaxed;

    /// <summary>
    /// The context used for manifests: SQL is full of quotes and apostrophes, which the default encoder would
    /// write as \u0022 and \u0027; a file people read and diff should show them as written.
    /// </summary>
    public static ManifestJsonContext Relaxed => _relaxed ??= new ManifestJsonContext(
        new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
