using ReJot.Manifest;

namespace ReJot.Cli.Output;

/// <summary>Prints verification diagnostics: each with its type name, location and hint.</summary>
internal static class DiagnosticPrinter
{
    /// <summary>Prints the diagnostics and a summary line; returns the number of errors.</summary>
    /// <param name="writer">Where to print.</param>
    /// <param name="diagnostics">The diagnostics.</param>
    /// <returns>The number of errors.</returns>
    public static async Task<int> PrintAsync(TextWriter writer, IReadOnlyList<ManifestDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics.OrderBy(d => d.IsError ? 0 : 1))
        {
            await writer.WriteLineAsync($"{(diagnostic.IsError ? "error" : "warning")} {diagnostic.Type}: {diagnostic.Message}").ConfigureAwait(false);
            await writer.WriteLineAsync($"  at {diagnostic.Location}").ConfigureAwait(false);
            if (diagnostic.Hint is { } hint)
            {
                await writer.WriteLineAsync($"  hint: {hint.Message}").ConfigureAwait(false);
                if (!string.IsNullOrEmpty(hint.Suggestions))
                {
                    await writer.WriteLineAsync($"        {hint.Suggestions}").ConfigureAwait(false);
                }
            }
        }

        var errors = diagnostics.Count(d => d.IsError);
        var warnings = diagnostics.Count - errors;
        if (diagnostics.Count > 0)
        {
            await writer.WriteLineAsync($"{Plural(errors, "error")}, {Plural(warnings, "warning")}.").ConfigureAwait(false);
        }

        return errors;
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
