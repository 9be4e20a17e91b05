using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ReJot.Schemas.Tasks;

/// <summary>
/// Copies the manifest that the ReJot schema generator merged (between markers in its generated
/// <c>ReJotManifestFile.g.cs</c>) to the manifest file, only when the content changed.
/// </summary>
/// <remarks>
/// A task rather than WriteLinesToFile: MSBuild rewrites backslashes in item specs on Unix, which would
/// corrupt every JSON escape.
/// </remarks>
public sealed class WriteReJotManifest : Task
{
    private const string Begin = "/*REJOT-MANIFEST-BEGIN";
    private const string End = "REJOT-MANIFEST-END*/";
    private const string ErrorMarker = "// REJOT-MANIFEST-ERROR: ";
    private const string ChangesMarker = "// REJOT-MANIFEST-CHANGES: ";

    /// <summary>The generated file that holds the merged manifest.</summary>
    [Required]
    public string GeneratedFile { get; set; } = "";

    /// <summary>The manifest file to write.</summary>
    [Required]
    public string ManifestFile { get; set; } = "";

    /// <summary>Whether the manifest file was rewritten.</summary>
    [Output]
    public bool Changed { get; set; }

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!File.Exists(GeneratedFile))
        {
            Log.LogError("ReJot: the schema generator produced no manifest for '{0}' (expected {1}). Is the ReJot.Schemas analyzer disabled or excluded?", ManifestFile, GeneratedFile);
            return false;
        }

        var generated = File.ReadAllText(GeneratedFile);
        var error = generated.IndexOf(ErrorMarker, StringComparison.Ordinal);
        if (error >= 0)
        {
            var message = generated.Substring(error + ErrorMarker.Length).Split('\n')[0].Trim();
            Log.LogError(null, null, null, ManifestFile, 0, 0, 0, 0,
                "ReJot: cannot merge the schemas into '{0}': {1}. Fix the file (or delete it to start a new one).", ManifestFile, message);
            return false;
        }

        var begin = generated.IndexOf(Begin, StringComparison.Ordinal);
        var end = generated.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            Log.LogError("ReJot: '{0}' does not hold a merged manifest.", GeneratedFile);
            return false;
        }

        var json = generated.Substring(begin + Begin.Length + 1, end - begin - Begin.Length - 1);
        var current = File.Exists(ManifestFile) ? File.ReadAllText(ManifestFile) : null;
        if (string.Equals(current, json, StringComparison.Ordinal))
        {
            return true;
        }

        var directory = Path.GetDirectoryName(ManifestFile);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(ManifestFile, json, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Changed = true;
        var changes = generated.IndexOf(ChangesMarker, StringComparison.Ordinal);
        var summary = changes >= 0 ? generated.Substring(changes + ChangesMarker.Length).Split('\n')[0].Trim() : "";
        Log.LogMessage(MessageImportance.High, "ReJot: wrote schemas to {0} ({1})", ManifestFile, summary);
        return true;
    }
}
