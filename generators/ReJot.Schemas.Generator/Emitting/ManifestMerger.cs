using System;
using System.Collections.Generic;
using System.IO;
using ReJot.Schemas.Generator.Json;
using ReJot.Schemas.Generator.Model;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>The outcome of merging the collected schemas into a manifest file.</summary>
internal sealed record MergeResult(string? Json, string? Error, int Added, int Updated, int Removed, int Unchanged);

/// <summary>
/// Merges the collected schemas into an existing manifest: entries that came from this project's source
/// files (by <c>definitionFile</c>) or that have the same key (public: name and major; consumer: name)
/// are replaced in place or removed; everything else (connections, stores, workspaces, schemas from other
/// definition files, unknown members) is kept as it was. New entries are appended in ordinal order.
/// </summary>
internal static class ManifestMerger
{
    public static MergeResult Merge(ManifestSpec manifest, ManifestFileSpec file, EquatableArray<string> sourceFiles)
    {
        JsonObject root;
        if (string.IsNullOrWhiteSpace(file.Text))
        {
            root = new JsonObject()
                .Set("slug", manifest.Slug)
                .Set("manifestVersion", JsonValue.Number(0))
                .Set("connections", new JsonArray())
                .Set("dataStores", new JsonArray())
                .Set("eventStores", new JsonArray())
                .Set("publicSchemas", new JsonArray())
                .Set("consumerSchemas", new JsonArray());
        }
        else
        {
            try
            {
                root = JsonReader.Parse(file.Text!) as JsonObject
                    ?? throw new FormatException("the manifest must be a JSON object");
            }
            catch (FormatException e)
            {
                return new MergeResult(null, e.Message, 0, 0, 0, 0);
            }

            if (root["manifestVersion"] is not JsonLiteral { Text: "0" })
            {
                return new MergeResult(null, "unsupported manifestVersion (expected 0)", 0, 0, 0, 0);
            }
        }

        var manifestDirectory = Path.GetDirectoryName(file.Path) ?? "";
        var ownFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sourceFiles)
        {
            ownFiles.Add(RelativePath(manifestDirectory, source));
        }

        var publicEntries = new List<(string Key, JsonObject Entry)>();
        foreach (var schema in manifest.PublicSchemas)
        {
            publicEntries.Add((PublicKey(schema.Name, schema.Major), ManifestJson.PublicSchema(schema, DefinitionFile(manifestDirectory, schema.DefinitionFile))));
        }

        var consumerEntries = new List<(string Key, JsonObject Entry)>();
        foreach (var consumer in manifest.ConsumerSchemas)
        {
            consumerEntries.Add((consumer.Name, ManifestJson.ConsumerSchema(consumer, root.GetString("slug") ?? manifest.Slug, DefinitionFile(manifestDirectory, consumer.DefinitionFile))));
        }

        var counts = new int[4];
        if (!MergeArray(root, "publicSchemas", publicEntries, ownFiles, PublicKeyOf, counts, out var error)
            || !MergeArray(root, "consumerSchemas", consumerEntries, ownFiles, static entry => entry.GetString("name"), counts, out error))
        {
            return new MergeResult(null, error, 0, 0, 0, 0);
        }

        return new MergeResult(JsonWriter.Write(root, indented: true, commentSafe: true) + "\n", null, counts[0], counts[1], counts[2], counts[3]);
    }

    private static string PublicKey(string name, int major) => name + "@" + major.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? PublicKeyOf(JsonObject entry)
    {
        var name = entry.GetString("name");
        var major = (entry["version"] as JsonObject)?["major"] as JsonLiteral;
        return name is null || major is null ? null : name + "@" + major.Text;
    }

    private static bool MergeArray(
        JsonObject root,
        string member,
        List<(string Key, JsonObject Entry)> collected,
        HashSet<string> ownFiles,
        Func<JsonObject, string?> keyOf,
        int[] counts,
        out string? error)
    {
        error = null;
        var existing = root[member];
        if (existing is not null && existing is not JsonArray)
        {
            error = "'" + member + "' must be an array";
            return false;
        }

        var pending = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (key, entry) in collected)
        {
            pending[key] = entry;
        }

        var result = new JsonArray();
        foreach (var item in (existing as JsonArray)?.Items ?? [])
        {
            var entry = item as JsonObject;
            var key = entry is null ? null : keyOf(entry);
            if (key is not null && pending.TryGetValue(key, out var replacement))
            {
                pending.Remove(key);
                var same = JsonWriter.Write(item, indented: false) == JsonWriter.Write(replacement, indented: false);
                counts[same ? 3 : 1]++;
                result.Add(replacement);
            }
            else if (entry?.GetString("definitionFile") is { } file && ownFiles.Contains(file.Replace('\\', '/')))
            {
                counts[2]++;
            }
            else
            {
                result.Add(item);
            }
        }

        foreach (var (key, entry) in collected)
        {
            if (pending.ContainsKey(key))
            {
                counts[0]++;
                result.Add(entry);
            }
        }

        root.Set(member, result);
        return true;
    }

    /// <summary>The definitionFile of an entry, or null when it has no source (read from a built assembly).</summary>
    private static string? DefinitionFile(string manifestDirectory, string path)
        => path.Length == 0 ? null : RelativePath(manifestDirectory, path);

    /// <summary>A path relative to a directory, with <c>/</c> separators (netstandard2.0 has no Path.GetRelativePath).</summary>
    public static string RelativePath(string directory, string path)
    {
        if (directory.Length == 0 || path.Length == 0)
        {
            return path.Replace('\\', '/');
        }

        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var from = directory.Replace('\\', '/').TrimEnd('/').Split('/');
        var to = path.Replace('\\', '/').Split('/');
        var common = 0;
        while (common < from.Length && common < to.Length - 1 && string.Equals(from[common], to[common], comparison))
        {
            common++;
        }

        if (common == 0)
        {
            return path.Replace('\\', '/');
        }

        var parts = new List<string>();
        for (var i = common; i < from.Length; i++)
        {
            parts.Add("..");
        }

        for (var i = common; i < to.Length; i++)
        {
            parts.Add(to[i]);
        }

        return string.Join("/", parts);
    }
}
