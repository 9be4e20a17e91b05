using Microsoft.CodeAnalysis;

namespace ReJot.Schemas.Analyzers.Diagnostics;

/// <summary>Every ReJot diagnostic: one table, stable IDs, one category per area, a help page each.</summary>
internal static class DiagnosticDescriptors
{
    public const string SqlCategory = "ReJot.Sql";
    public const string PublicSchemaCategory = "ReJot.PublicSchema";
    public const string ConsumerSchemaCategory = "ReJot.ConsumerSchema";
    public const string NamingCategory = "ReJot.Naming";

    // The pages live in the repository (docs/diagnostics/RJxxxx.md); the link is repository-relative.
    private const string HelpLinkBase = "docs/diagnostics/";

    /// <summary>Diagnostic property: the replacement text a code fix applies at the diagnostic's location.</summary>
    public const string ReplacementProperty = "Replacement";

    public static readonly DiagnosticDescriptor UnterminatedSql = Create(
        "RJ0001", SqlCategory, DiagnosticSeverity.Error,
        "SQL has an unterminated literal, comment, quoted identifier or dollar quote",
        "{0}",
        "A string constant, quoted identifier, /* comment or $tag$ dollar quote is not closed: PostgreSQL rejects the statement, and ReJot cannot find the placeholders after it.");

    public static readonly DiagnosticDescriptor MixedPlaceholders = Create(
        "RJ0002", SqlCategory, DiagnosticSeverity.Error,
        "Named and positional placeholders are mixed",
        "SQL mixes named (:name) and positional ($n) placeholders; '{0}' is the first of the second style, use one style throughout",
        "A statement binds its parameters either by name (:name) or by position ($1..$n), never both.");

    public static readonly DiagnosticDescriptor PositionalNotSequential = Create(
        "RJ0003", SqlCategory, DiagnosticSeverity.Error,
        "Positional placeholders are not numbered $1..$n",
        "{0}",
        "Positional placeholders bind the row's columns in order; the distinct numbers used must be exactly 1..n (repeats are allowed).");

    public static readonly DiagnosticDescriptor EmptySql = Create(
        "RJ0004", SqlCategory, DiagnosticSeverity.Error,
        "SQL is empty",
        "The {0} SQL is empty",
        "Transformations and consumer SQL fields need a statement to run.");

    public static readonly DiagnosticDescriptor MixedCaseAlias = Create(
        "RJ0005", SqlCategory, DiagnosticSeverity.Warning,
        "Unquoted mixed-case output column name",
        "PostgreSQL folds the unquoted name '{0}' to '{1}'; quote it as \"{0}\" to keep its case",
        "PostgreSQL lower-cases unquoted identifiers, so an unquoted camelCase alias can never match a camelCase contract field. Quote the alias.");

    public static readonly DiagnosticDescriptor UnknownPlaceholder = Create(
        "RJ0006", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Placeholder is not a field of the consumed contract",
        "':{0}' is not a field of public schema '{1}'{2}",
        "Consumer SQL placeholders are bound from the event's object, so every :name must be a contract field's JSON name.");

    public static readonly DiagnosticDescriptor DeleteUsesNonKeyField = Create(
        "RJ0007", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Delete SQL uses a field that is not a key",
        "Delete events carry only the key fields of '{1}' ({2}); ':{0}' is not one of them",
        "Delete events carry exactly the key fields of the public schema ([Key]); other fields have no value when a delete is applied.");

    public static readonly DiagnosticDescriptor MissingUpsertSql = Create(
        "RJ0008", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Consumer schema has no upsert SQL",
        "Consumer schema '{0}' has no [UpsertSql] field; add a const string field with the SQL that applies inserts and updates",
        "A consumer schema applies every insert and update event with its [UpsertSql] statement.");

    public static readonly DiagnosticDescriptor UnknownPublicSchema = Create(
        "RJ0009", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Consumed public schema is unknown",
        "{0}",
        "The consumed public schema must exist in the manifest that publishes it (this compilation or a referenced assembly).");

    public static readonly DiagnosticDescriptor UnknownMajorVersion = Create(
        "RJ0010", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Consumed major version is unknown",
        "Public schema '{0}' of manifest '{1}' has no major version {2} (available: {3})",
        "Consumers name the major version they read; it must be one the publisher declares.");

    public static readonly DiagnosticDescriptor PublicSchemaNotVisible = Create(
        "RJ0011", ConsumerSchemaCategory, DiagnosticSeverity.Info,
        "Consumed public schema cannot be checked here",
        "Manifest '{0}' is not part of this compilation or its references, so the placeholders of '{1}' are not checked; reference the contract assembly (or use ConsumerSchema<T>) to check them",
        "Schemas from a manifest that is not visible at compile time are checked by 'rejot collect --check' and at run time instead.",
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SqlFieldNotConstant = Create(
        "RJ0012", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "SQL field is not a constant string",
        "[{0}] field '{1}' must be a const string so its SQL is known at compile time",
        "The generator and analyzers read consumer SQL at compile time; only const string fields have a value then.");

    public static readonly DiagnosticDescriptor DuplicateSqlField = Create(
        "RJ0013", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "More than one SQL field of the same kind",
        "Consumer schema '{0}' has more than one [{1}] field; keep one",
        "A consumer schema has at most one upsert and one delete statement.");

    public static readonly DiagnosticDescriptor ConsumedSchemaNotNamed = Create(
        "RJ0014", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Consumer schema does not name exactly one public schema",
        "{0}",
        "A consumer schema names the public schema it consumes either with [Consumes(slug, name, Major = n)] or with ConsumerSchema<TContract>, exactly once.");

    public static readonly DiagnosticDescriptor NoTransformations = Create(
        "RJ0015", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Public schema has no transformations",
        "Public schema '{0}' has no [Transformation]; add one that computes the contract from its source table",
        "Without a transformation a public schema never publishes an event.");

    public static readonly DiagnosticDescriptor DuplicatePublicSchema = Create(
        "RJ0016", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Duplicate public schema name and version",
        "Public schema '{0}' version {1}.{2} is also declared by '{3}'",
        "Public schemas are identified by name and version within a manifest; two declarations of the same one are ambiguous.");

    public static readonly DiagnosticDescriptor DeleteWithoutKey = Create(
        "RJ0017", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Delete transformation without a key field",
        "Public schema '{0}' has a delete transformation but no [Key] field; mark the fields that identify an object with [Key]",
        "Delete events carry the key fields only; without [Key] a delete event carries nothing a consumer can use.");

    public static readonly DiagnosticDescriptor FieldNotSelected = Create(
        "RJ0018", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Contract field is not provided by the SELECT list",
        "No output column of this {0} transformation provides field '{1}' of '{2}'{3}",
        "The transformation's output columns become the event's object; every required contract field needs a column with exactly its JSON name.");

    public static readonly DiagnosticDescriptor ColumnMatchesNoField = Create(
        "RJ0019", PublicSchemaCategory, DiagnosticSeverity.Warning,
        "Output column matches no contract field",
        "Output column '{0}' matches no field of '{1}'{2}",
        "Output columns become the event's object; a column that is not a contract field is not part of the contract.");

    public static readonly DiagnosticDescriptor UnsupportedFieldType = Create(
        "RJ0020", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Property type cannot be represented in the contract",
        "Field '{0}' has type '{1}', which a ReJot contract cannot represent{2}",
        "Contract fields map to JSON Schema: strings, integers, floating point, decimal, bool, Guid, dates and times, enums, nullable types, arrays and lists, string-keyed dictionaries and nested classes or records.");

    public static readonly DiagnosticDescriptor InvalidTable = Create(
        "RJ0021", PublicSchemaCategory, DiagnosticSeverity.Error,
        "Invalid transformation table",
        "Table '{0}' is not a table name; write 'table' or 'schema.table'",
        "A transformation reacts to changes of one table, named 'table' (schema public) or 'schema.table'.");

    public static readonly DiagnosticDescriptor InvalidName = Create(
        "RJ0022", NamingCategory, DiagnosticSeverity.Error,
        "Invalid name or slug",
        "{0} '{1}' is invalid: {2}",
        "Manifest slugs, schema names and data store slugs appear in the manifest and in event routing; they follow fixed patterns.");

    public static readonly DiagnosticDescriptor MissingDataStore = Create(
        "RJ0023", NamingCategory, DiagnosticSeverity.Error,
        "Data store slug is missing",
        "{0} '{1}' needs {2} = \"<data store slug>\"",
        "A public schema names its source data store (Source) and a consumer schema its destination (Destination).");

    public static readonly DiagnosticDescriptor NegativeVersion = Create(
        "RJ0024", NamingCategory, DiagnosticSeverity.Error,
        "Negative version",
        "{0} must be zero or greater (is {1})",
        "Versions are non-negative integers.");

    public static readonly DiagnosticDescriptor DuplicateConsumerSchema = Create(
        "RJ0025", ConsumerSchemaCategory, DiagnosticSeverity.Error,
        "Duplicate consumer schema name",
        "Consumer schema '{0}' is also declared by '{1}'",
        "Consumer schemas are identified by name within a manifest.");

    public static readonly DiagnosticDescriptor OrphanAttribute = Create(
        "RJ0026", NamingCategory, DiagnosticSeverity.Warning,
        "ReJot attribute has no effect without its schema attribute",
        "[{0}] has no effect because '{1}' has no [{2}]",
        "Transformations belong to a [PublicSchema] type; [Consumes], [UpsertSql] and [DeleteSql] belong to a [ConsumerSchema] type. Without it the generator ignores them.");

    private static DiagnosticDescriptor Create(
        string id,
        string category,
        DiagnosticSeverity severity,
        string title,
        string messageFormat,
        string description,
        bool isEnabledByDefault = true)
        => new(id, title, messageFormat, category, severity, isEnabledByDefault, description, HelpLinkBase + id + ".md");
}
