using System.Text;
using System.Text.RegularExpressions;

namespace ReJot.Schemas.Analyzers.Model;

/// <summary>Name rules and conventions; the same as the generator's (camelCase, kebab-case) so both agree.</summary>
internal static class Naming
{
    // The original ReJot manifest slug rule (optionally npm-style scoped).
    private static readonly Regex s_manifestSlug = new("^(@[a-z0-9-]+/([a-z0-9-]*)|[a-z0-9-]+)$", RegexOptions.CultureInvariant);

    // Schema names: lower-case words separated by single dashes, dots or underscores ("account", "accounts-v2", "sales.order").
    private static readonly Regex s_schemaName = new("^[a-z0-9]+([-_.][a-z0-9]+)*$", RegexOptions.CultureInvariant);

    // Data store slugs are connection slugs: lower-case letters, digits, dashes and underscores.
    private static readonly Regex s_dataStoreSlug = new("^[a-z0-9][a-z0-9_-]*$", RegexOptions.CultureInvariant);

    public const string ManifestSlugRule = "use lower-case letters, digits and dashes, optionally scoped as @scope/name";
    public const string SchemaNameRule = "use lower-case letters and digits, words separated by single '-', '_' or '.'";
    public const string DataStoreSlugRule = "use lower-case letters, digits, '-' and '_', starting with a letter or digit";

    public static bool IsValidManifestSlug(string slug) => s_manifestSlug.IsMatch(slug);

    public static bool IsValidSchemaName(string name) => s_schemaName.IsMatch(name);

    public static bool IsValidDataStoreSlug(string slug) => s_dataStoreSlug.IsMatch(slug);

    /// <summary>System.Text.Json's camelCase policy: <c>URLValue</c> gives <c>urlValue</c>, <c>ID</c> gives <c>id</c>.</summary>
    public static string ToCamelCase(string name)
    {
        if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    /// <summary>The default manifest slug of an assembly name (<c>Accounts.Service</c> gives <c>accounts-service</c>).</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsLetterOrDigit(c) && c < 128)
            {
                var boundary = char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsUpper(name[i - 1]) && char.IsLower(name[i + 1])));
                if (boundary)
                {
                    AppendDash(builder);
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                AppendDash(builder);
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "default" : slug;
    }

    private static void AppendDash(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '-')
        {
            builder.Append('-');
        }
    }

    /// <summary>The closest candidate to <paramref name="name"/> (case-insensitive match first, then edit distance), or null.</summary>
    public static string? Suggest(string name, System.Collections.Generic.IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, System.StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }

            var distance = EditDistance(name, candidate);
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // More than a third of the name changed is not a typo.
        var allowed = System.Math.Max(1, System.Math.Min(3, name.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Levenshtein distance, ignoring case.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = System.Math.Min(System.Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
