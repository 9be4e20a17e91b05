using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReJot.Manifest;

/// <summary>
/// Reads and writes manifests as JSON: two-space indentation, the original's field order, unknown fields kept,
/// <c>outputSchema</c> kept verbatim. Errors are <see cref="ManifestException"/>s that name file, line and column.
/// </summary>
public static partial class ManifestSerializer
{
    /// <summary>Parses a manifest.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="path">The file it came from, named in errors.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ManifestException">The text is not a readable manifest of version 0.</exception>
    public static ManifestDocument Read(string json, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var utf8 = Encoding.UTF8.GetBytes(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ManifestException("the file is empty; expected a JSON object such as {\"slug\": \"my-service\", \"manifestVersion\": 0}.", path, 1, 1);
        }

        ManifestDocument? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(utf8, ManifestJsonContext.Relaxed.ManifestDocument);
        }
        catch (JsonException exception)
        {
            throw Translate(exception, utf8, path);
        }

        if (manifest is null)
        {
            throw new ManifestException("expected a JSON object at the top level, found null.", path, 1, 1);
        }

        Validate(manifest, utf8, path);
        return manifest;
    }

    /// <summary>Writes a manifest: two-space indented JSON ending in a newline.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <returns>The JSON text.</returns>
    public static string Write(ManifestDocument manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.Serialize(manifest, ManifestJsonContext.Relaxed.ManifestDocument) + "\n";
    }

    /// <summary>Makes an independent copy of a manifest (through its JSON form).</summary>
    /// <param name="manifest">The manifest.</param>
    /// <returns>The copy.</returns>
    public static ManifestDocument Clone(ManifestDocument manifest) =>
        JsonSerializer.Deserialize(Write(manifest), ManifestJsonContext.Relaxed.ManifestDocument)!;

    private static ManifestException Translate(JsonException exception, byte[] utf8, string? path)
    {
        var segments = JsonLocator.ParsePath(exception.Path);
        var where = JsonLocator.Display(segments);
        var message = StripLocation(exception.Message);
        var found = exception.Path is null ? null : JsonLocator.Find(utf8, segments);
        int? line = null;
        int? column = null;
        if (exception.LineNumber is { } lineNumber && exception.BytePositionInLine is { } bytePosition)
        {
            (line, column) = JsonLocator.FromReaderPosition(utf8, lineNumber, bytePosition);
        }

        string problem;
        var conversion = ConversionPattern().Match(exception.Message);
        var missing = MissingPattern().Match(exception.Message);
        if (exception.Path is null || exception.InnerException is JsonException)
        {
            // The reader's own exception (a syntax error) is wrapped by the serializer with the path added.
            var syntax = exception.InnerException is JsonException inner ? StripLocation(inner.Message) : message;
            if (syntax.Contains("trailing comma", StringComparison.OrdinalIgnoreCase))
            {
                syntax = "a trailing comma before '}' or ']' is not allowed in JSON; remove it.";
            }

            problem = $"invalid JSON: {syntax}";
        }
        else if (conversion.Success)
        {
            var expected = ExpectedKindAt(segments) ?? ExpectedKind(conversion.Groups["type"].Value);
            var foundText = found is { } f && f.Token != JsonTokenType.None ? $", found {JsonLocator.Describe(f.Token)}" : string.Empty;
            problem = $"{where}: expected {expected}{foundText}.";
            if (found is { } position)
            {
                (line, column) = (position.Line, position.Column);
            }
        }
        else if (missing.Success)
        {
            var names = missing.Groups["names"].Value.Trim();
            var plural = names.Contains(',', StringComparison.Ordinal) ? "fields" : "field";
            problem = $"{where} is missing the required {plural} {names}.";
            if (found is { } position)
            {
                (line, column) = (position.Line, position.Column);
            }
        }
        else if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && exception.Path is not null)
        {
            problem = $"{where}: expected {ExpectedKindAt(segments) ?? "a value"}, found null.";
            if (found is { } position)
            {
                (line, column) = (position.Line, position.Column);
            }
        }
        else
        {
            problem = exception.Path is null ? message : $"{where}: {message}";
        }

        return new ManifestException(problem, path, line, column, exception.Path is null ? null : where, exception);
    }

    private static void Validate(ManifestDocument manifest, byte[] utf8, string? path)
    {
        if (manifest.ManifestVersion != ManifestDocument.CurrentManifestVersion)
        {
            Fail($"unsupported manifestVersion {manifest.ManifestVersion}; this version of rejot reads manifestVersion {ManifestDocument.CurrentManifestVersion} only.", "manifestVersion");
        }

        for (var i = 0; i < (manifest.Connections?.Count ?? 0); i++)
        {
            var config = manifest.Connections![i].Config;
            if (config.IsPostgres)
            {
                RequirePresent(config.Host, "host", "a string", "connections", i, "config");
                RequirePresent(config.Port, "port", "a number", "connections", i, "config");
                RequirePresent(config.User, "user", "a string", "connections", i, "config");
                RequirePresent(config.Password, "password", "a string (a literal or a ${ENV_VAR} reference)", "connections", i, "config");
                RequirePresent(config.Database, "database", "a string", "connections", i, "config");
            }
        }

        for (var i = 0; i < (manifest.DataStores?.Count ?? 0); i++)
        {
            var config = manifest.DataStores![i].Config;
            if (config is not null && string.Equals(config.ConnectionType, ConnectionConfig.PostgresType, StringComparison.Ordinal))
            {
                RequirePresent(config.SlotName, "slotName", "a string", "dataStores", i, "config");
                RequirePresent(config.PublicationName, "publicationName", "a string", "dataStores", i, "config");
            }
        }

        void RequirePresent(object? value, string field, string expected, string array, int index, string member)
        {
            if (value is null)
            {
                var display = JsonLocator.Display([array, index, member]);
                Fail($"{display} is a postgres config and is missing the required field '{field}' ({expected}).", array, index, member);
            }
        }

        void Fail(string problem, params object[] segments)
        {
            var position = JsonLocator.Find(utf8, segments);
            throw new ManifestException(problem, path, position?.Line, position?.Column, JsonLocator.Display(segments));
        }
    }

    private static string StripLocation(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        return (cut < 0 ? message : message[..cut]).Trim();
    }

    // The serializer's conversion message sometimes names the containing type rather than the property's, so
    // the expected JSON kind is looked up by the property name first.
    private static string? ExpectedKindAt(IReadOnlyList<object> segments)
    {
        if (segments.Count == 0)
        {
            return "an object";
        }

        if (segments[^1] is int)
        {
            return segments.Count >= 2 && segments[^2] is string array && array is "workspaces" or "tables" or "keys" ? "a string" : "an object";
        }

        return (string)segments[^1] switch
        {
            "manifestVersion" or "port" or "major" or "minor" or "majorVersion" => "an integer",
            "allTables" => "true or false",
            "connections" or "dataStores" or "eventStores" or "publicSchemas" or "consumerSchemas" or "workspaces"
                or "tables" or "keys" or "transformations" => "an array",
            "config" or "source" or "version" or "publicSchema" => "an object",
            "outputSchema" => null,
            _ => "a string",
        };
    }

    private static string ExpectedKind(string typeName)
    {
        if (typeName.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal))
        {
            return "an array";
        }

        if (typeName.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal))
        {
            return "an object";
        }

        if (typeName.Contains("System.Int32", StringComparison.Ordinal) || typeName.Contains("System.Int64", StringComparison.Ordinal))
        {
            return "an integer";
        }

        if (typeName.Contains("System.Boolean", StringComparison.Ordinal))
        {
            return "true or false";
        }

        if (typeName.Contains("System.String", StringComparison.Ordinal))
        {
            return "a string";
        }

        return typeName.StartsWith("ReJot.Manifest.", StringComparison.Ordinal) ? "an object" : typeName;
    }

    [GeneratedRegex(@"could not be converted to (?<type>.+?)\. Path:", RegexOptions.CultureInvariant)]
    private static partial Regex ConversionPattern();

    [GeneratedRegex(@"missing required properties,? including:? (?<names>.+?)\.( Path:|$)", RegexOptions.CultureInvariant)]
    private static partial Regex MissingPattern();
}
