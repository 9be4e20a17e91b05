using System.Text;
using System.Text.RegularExpressions;

namespace ReJot.Manifest;

/// <summary>
/// <c>${NAME}</c> references to environment variables inside connection settings. A value may be exactly one
/// reference (<c>"${ACCOUNTS_DB_PASSWORD}"</c>) or contain several (<c>"db-${REGION}.internal"</c>);
/// <c>$${</c> writes a literal <c>${</c>.
/// </summary>
public static partial class EnvironmentReferences
{
    /// <summary>Whether <paramref name="value"/> contains at least one <c>${NAME}</c> reference.</summary>
    /// <param name="value">A setting value.</param>
    /// <returns>True when it references the environment.</returns>
    public static bool ContainsReference(string? value) => value is not null && ReferencePattern().IsMatch(value);

    /// <summary>Whether <paramref name="value"/> is exactly one reference, e.g. <c>${DB_PASSWORD}</c>.</summary>
    /// <param name="value">A setting value.</param>
    /// <returns>True when the whole value is one reference.</returns>
    public static bool IsReferenceOnly(string? value) => value is not null && WholeReferencePattern().IsMatch(value);

    /// <summary>The variable names referenced by <paramref name="value"/>, in order of appearance.</summary>
    /// <param name="value">A setting value.</param>
    /// <returns>The names.</returns>
    public static IReadOnlyList<string> GetReferencedNames(string? value) =>
        value is null ? [] : [.. ReferencePattern().Matches(value).Where(m => !m.Groups["escape"].Success).Select(m => m.Groups["name"].Value)];

    /// <summary>Replaces every reference in <paramref name="value"/> with the variable's value.</summary>
    /// <param name="value">The value; null stays null.</param>
    /// <param name="getVariable">Reads an environment variable; null when unset.</param>
    /// <param name="connectionSlug">Named in errors.</param>
    /// <param name="field">Named in errors (e.g. <c>password</c>).</param>
    /// <returns>The resolved value.</returns>
    /// <exception cref="EnvironmentReferenceException">A variable is unset or a reference is malformed.</exception>
    public static string? Resolve(string? value, Func<string, string?> getVariable, string? connectionSlug, string field)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        if (value is null || !value.Contains('$', StringComparison.Ordinal))
        {
            return value;
        }

        var owner = connectionSlug is null ? $"'{field}'" : $"Connection '{connectionSlug}' {field}";
        var result = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            if (value[i] == '$' && i + 2 < value.Length && value[i + 1] == '$' && value[i + 2] == '{')
            {
                result.Append("${");
                i += 3;
                continue;
            }

            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{')
            {
                var end = value.IndexOf('}', i + 2);
                var name = end < 0 ? null : value[(i + 2)..end];
                if (name is null || !NamePattern().IsMatch(name))
                {
                    throw new EnvironmentReferenceException(
                        $"{owner} has a malformed environment reference at position {i + 1}: write ${{NAME}} with a name of letters, digits and '_' (or $${{ for a literal '${{').",
                        name ?? string.Empty);
                }

                var resolved = getVariable(name) ?? throw new EnvironmentReferenceException(
                    $"{owner} references environment variable '{name}', which is not set. Set {name} or write the value into the manifest.",
                    name);
                result.Append(resolved);
                i = end + 1;
                continue;
            }

            result.Append(value[i]);
            i++;
        }

        return result.ToString();
    }

    [GeneratedRegex(@"(?<escape>\$)?\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeReferencePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

/// <summary>An environment reference in a connection setting could not be resolved.</summary>
public sealed class EnvironmentReferenceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="variableName">The variable concerned.</param>
    public EnvironmentReferenceException(string message, string variableName)
        : base(message)
    {
        VariableName = variableName;
    }

    /// <summary>The environment variable that is unset (or the malformed name).</summary>
    public string VariableName { get; }
}
