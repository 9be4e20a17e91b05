namespace ReJot.Manifest;

/// <summary>How serious a diagnostic is: errors make a manifest invalid, warnings do not.</summary>
public enum DiagnosticSeverity
{
    /// <summary>The manifest (or workspace) cannot be used as it is.</summary>
    Error,

    /// <summary>Worth fixing, but harmless to run.</summary>
    Warning,
}

/// <summary>One finding of <see cref="ManifestVerifier"/> (shape of the original's <c>ManifestDiagnostic</c>).</summary>
/// <param name="Type">The diagnostic type, e.g. <c>CONNECTION_NOT_FOUND</c>; see <see cref="DiagnosticTypes"/>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Location">Where.</param>
/// <param name="Hint">How to fix it, when there is advice.</param>
public sealed record ManifestDiagnostic(
    string Type,
    DiagnosticSeverity Severity,
    string Message,
    DiagnosticLocation Location,
    DiagnosticHint? Hint = null)
{
    /// <summary>Whether this is an error.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>One line: <c>error TYPE: message (manifest 'slug' at path, context)</c>.</summary>
    /// <returns>The line.</returns>
    public override string ToString()
    {
        var severity = IsError ? "error" : "warning";
        return $"{severity} {Type}: {Message} ({Location})";
    }
}

/// <summary>Where a diagnostic applies.</summary>
/// <param name="ManifestSlug">Slug of the manifest.</param>
/// <param name="ManifestPath">Path of its file, when known.</param>
/// <param name="Context">The element concerned, e.g. <c>dataStore.connectionSlug: accounts</c>.</param>
public sealed record DiagnosticLocation(string ManifestSlug, string? ManifestPath = null, string? Context = null)
{
    /// <summary><c>manifest 'slug' (path), context</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var text = $"manifest '{ManifestSlug}'";
        if (!string.IsNullOrEmpty(ManifestPath))
        {
            text += $" at {ManifestPath}";
        }

        return string.IsNullOrEmpty(Context) ? text : $"{text}, {Context}";
    }
}

/// <summary>Advice attached to a diagnostic.</summary>
/// <param name="Message">The advice.</param>
/// <param name="Suggestions">A concrete step, e.g. a command to run.</param>
public sealed record DiagnosticHint(string Message, string? Suggestions = null);

/// <summary>A consumer schema's reference to a public schema of a manifest outside the verified set.</summary>
/// <param name="ManifestSlug">The external manifest.</param>
/// <param name="PublicSchemaName">The public schema's name.</param>
/// <param name="MajorVersion">The major version required.</param>
/// <param name="ReferencedByManifestSlug">The manifest holding the consumer schema.</param>
public sealed record ExternalPublicSchemaReference(string ManifestSlug, string PublicSchemaName, int MajorVersion, string ReferencedByManifestSlug);

/// <summary>The outcome of a verification.</summary>
public sealed class VerificationResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="diagnostics">All diagnostics.</param>
    /// <param name="externalReferences">References to manifests outside the verified set.</param>
    public VerificationResult(IReadOnlyList<ManifestDiagnostic> diagnostics, IReadOnlyList<ExternalPublicSchemaReference> externalReferences)
    {
        Diagnostics = diagnostics;
        ExternalReferences = externalReferences;
    }

    /// <summary>True when no diagnostic is an error (warnings do not count).</summary>
    public bool IsValid => !Diagnostics.Any(d => d.IsError);

    /// <summary>All diagnostics, errors and warnings, in the order they were found.</summary>
    public IReadOnlyList<ManifestDiagnostic> Diagnostics { get; }

    /// <summary>References to public schemas of manifests outside the verified set.</summary>
    public IReadOnlyList<ExternalPublicSchemaReference> ExternalReferences { get; }
}

/// <summary>A manifest and the file it came from.</summary>
/// <param name="Manifest">The manifest.</param>
/// <param name="Path">The file path, when it came from one.</param>
public sealed record ManifestWithPath(ManifestDocument Manifest, string? Path = null);

/// <summary>
/// Diagnostic type names. The first group keeps the original ReJot's names exactly; the rest are checks the
/// original lacks (several reuse the names of the original's <c>collect --check</c> errors).
/// </summary>
public static class DiagnosticTypes
{
    /// <summary>Two manifests in the set share a slug.</summary>
    public const string DuplicateManifestSlug = "DUPLICATE_MANIFEST_SLUG";

    /// <summary>A data store or event store references a connection that does not exist.</summary>
    public const string ConnectionNotFound = "CONNECTION_NOT_FOUND";

    /// <summary>A data store config's connection type differs from its connection's type.</summary>
    public const string ConnectionTypeMismatch = "CONNECTION_TYPE_MISMATCH";

    /// <summary>A connection no data store or event store uses (warning).</summary>
    public const string UnusedConnection = "UNUSED_CONNECTION";

    /// <summary>Two data stores of a manifest use the same connection.</summary>
    public const string DuplicateDataStore = "DUPLICATE_DATA_STORE";

    /// <summary>A public schema's source or a consumer's destination data store does not exist.</summary>
    public const string DataStoreNotFound = "DATA_STORE_NOT_FOUND";

    /// <summary>A public schema's source data store has no replication config.</summary>
    public const string DataStoreMissingConfig = "DATA_STORE_MISSING_CONFIG";

    /// <summary>A consumer references a manifest outside the set (only when external references are checked).</summary>
    public const string ManifestNotFound = "MANIFEST_NOT_FOUND";

    /// <summary>A consumer references a public schema its source manifest does not publish.</summary>
    public const string PublicSchemaNotFound = "PUBLIC_SCHEMA_NOT_FOUND";

    /// <summary>A consumer requires a major version the source manifest does not publish.</summary>
    public const string VersionMismatch = "VERSION_MISMATCH";

    /// <summary>Two public schemas share name and version.</summary>
    public const string DuplicatePublicSchema = "DUPLICATE_PUBLIC_SCHEMA";

    /// <summary>Added: two connections of a manifest share a slug.</summary>
    public const string DuplicateConnection = "DUPLICATE_CONNECTION";

    /// <summary>Added: the manifest slug does not match the slug rule.</summary>
    public const string InvalidSlug = "INVALID_SLUG";

    /// <summary>Added: a replication slot name breaks PostgreSQL's rules (<c>^[a-z0-9_]+$</c>, at most 63 characters).</summary>
    public const string InvalidSlotName = "INVALID_SLOT_NAME";

    /// <summary>Added: a publication name breaks PostgreSQL's rules (<c>^[a-z0-9_]+$</c>, at most 63 characters).</summary>
    public const string InvalidPublicationName = "INVALID_PUBLICATION_NAME";

    /// <summary>Added: a connection type this version cannot use.</summary>
    public const string UnsupportedConnectionType = "UNSUPPORTED_CONNECTION_TYPE";

    /// <summary>Added: a malformed <c>${ENV}</c> reference in a connection setting.</summary>
    public const string InvalidEnvironmentReference = "INVALID_ENVIRONMENT_REFERENCE";

    /// <summary>Added: an output schema that is not a usable JSON Schema of an object.</summary>
    public const string InvalidOutputSchema = "INVALID_OUTPUT_SCHEMA";

    /// <summary>Added: a declared key that is not a field of the output schema.</summary>
    public const string KeyNotInOutputSchema = "KEY_NOT_IN_OUTPUT_SCHEMA";

    /// <summary>Added: a public schema with delete transformations but no keys (warning).</summary>
    public const string DeleteWithoutKeys = "DELETE_WITHOUT_KEYS";

    /// <summary>Added (name of the original's collect check): a public schema without transformations.</summary>
    public const string NoTransformationFound = "NO_TRANSFORMATION_FOUND";

    /// <summary>Added: a transformation operation other than insert, update or delete.</summary>
    public const string InvalidTransformationOperation = "INVALID_TRANSFORMATION_OPERATION";

    /// <summary>Added (name of the original's collect check): SQL that cannot be tokenized (unterminated literal, comment or quote).</summary>
    public const string InvalidSql = "INVALID_SQL";

    /// <summary>Added (name of the original's collect check): SQL that mixes <c>:name</c> and <c>$n</c>.</summary>
    public const string MixingPositionalAndNamedPlaceholders = "MIXING_POSITIONAL_AND_NAMED_PLACEHOLDERS";

    /// <summary>Added (name of the original's collect check): <c>$n</c> placeholders that are not exactly <c>$1..$n</c>.</summary>
    public const string PositionalPlaceholderNotSequential = "POSITIONAL_PLACEHOLDER_NOT_SEQUENTIAL";

    /// <summary>Added (name of the original's collect check): a consumer <c>:name</c> that is not a field of the public schema.</summary>
    public const string NamedPlaceholderNotValid = "NAMED_PLACEHOLDER_NOT_VALID";

    /// <summary>Added: a workspace entry whose file does not exist (the original skipped it silently).</summary>
    public const string WorkspaceManifestNotFound = "WORKSPACE_MANIFEST_NOT_FOUND";

    /// <summary>Added: a workspace entry that leads back to a manifest already in the workspace.</summary>
    public const string WorkspaceCycle = "WORKSPACE_CYCLE";

    /// <summary>Added: a workspace entry whose file is not a readable manifest.</summary>
    public const string WorkspaceManifestInvalid = "WORKSPACE_MANIFEST_INVALID";
}
