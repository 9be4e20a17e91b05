using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using ReJot.Manifest;
using DiagnosticSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace ReJot.Cli.Commands.Collect;

/// <summary>
/// Collects schemas, then (in this order) checks, prints and writes. A failing check stops before the write,
/// so a broken schema never reaches the manifest.
/// </summary>
internal sealed class CollectAction(CliContext context)
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs the command.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the collection.</param>
    /// <returns>0 on success; 1 on analyzer errors, a manifest that cannot be merged, or no operation.</returns>
    public async Task<int> RunAsync(CollectRequest request, CancellationToken cancellationToken)
    {
        if (!request.Check && !request.Print && !request.Write)
        {
            await context.Error.WriteLineAsync("Nothing to do: add --check (run the analyzers), --print (show the schemas) and/or --write (merge them into the manifest).").ConfigureAwait(false);
            await context.Error.WriteLineAsync("Example: rejot collect src/Accounts --check --write").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var inputs = CollectInputs.Resolve(context, request.Inputs);
        if (inputs.SourceFiles.Count == 0 && inputs.Assemblies.Count == 0)
        {
            throw new CliException($"No C# files found in {string.Join(", ", request.Inputs)}.");
        }

        var manifestPath = request.Write ? ManifestPath(request.Manifest) : null;
        var result = await SchemaCollector.CollectAsync(inputs, request.Check, manifestPath, cancellationToken).ConfigureAwait(false);
        if (request.Verbose)
        {
            foreach (var note in inputs.Notes)
            {
                await context.Error.WriteLineAsync("note: " + note).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync($"Collected {result.SchemaCount} schema(s) from {inputs.SourceFiles.Count} C# file(s) and {inputs.Assemblies.Count} assembly(ies).").ConfigureAwait(false);
        }

        if (result.SchemaCount == 0)
        {
            await context.Error.WriteLineAsync($"warning: no ReJot schemas ([PublicSchema], [ConsumerSchema]) found in {string.Join(", ", request.Inputs)}.").ConfigureAwait(false);
        }

        if (request.Check && !await CheckAsync(result, request.Verbose).ConfigureAwait(false))
        {
            if (request.Write)
            {
                await context.Error.WriteLineAsync("The manifest was not written: fix the errors above first.").ConfigureAwait(false);
            }

            return ExitCodes.Failure;
        }

        if (request.Print)
        {
            foreach (var fragment in result.Fragments)
            {
                await context.Output.WriteLineAsync(JsonNode.Parse(fragment)!.ToJsonString(s_indented)).ConfigureAwait(false);
            }
        }

        if (request.Write)
        {
            return await WriteAsync(manifestPath!, result, cancellationToken).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private string ManifestPath(string? given)
        => given is not null
            ? context.ResolvePath(given)
            : ManifestFile.FindUpward(context.CurrentDirectory) ?? Path.Combine(context.CurrentDirectory, ManifestFile.DefaultFileName);

    private async Task<bool> CheckAsync(CollectResult result, bool verbose)
    {
        foreach (var diagnostic in result.Diagnostics)
        {
            await context.Output.WriteLineAsync(Format(diagnostic)).ConfigureAwait(false);
        }

        if (result.CompileErrors.Count > 0)
        {
            if (verbose)
            {
                foreach (var error in result.CompileErrors)
                {
                    await context.Error.WriteLineAsync("note: " + Format(error)).ConfigureAwait(false);
                }
            }
            else
            {
                await context.Error.WriteLineAsync($"note: {result.CompileErrors.Count} C# compile error(s) ignored (missing references?); --verbose lists them. Schemas using unresolved types may be incomplete.").ConfigureAwait(false);
            }
        }

        var errors = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var warnings = result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
        if (errors > 0)
        {
            await context.Output.WriteLineAsync($"Check failed: {errors} error(s), {warnings} warning(s).").ConfigureAwait(false);
            return false;
        }

        await context.Output.WriteLineAsync($"Check passed: {result.SchemaCount} schema(s), {warnings} warning(s).").ConfigureAwait(false);
        return true;
    }

    private async Task<int> WriteAsync(string manifestPath, CollectResult result, CancellationToken cancellationToken)
    {
        var display = Path.GetRelativePath(context.CurrentDirectory, manifestPath);
        if (result.MergeError is not null || result.MergedManifest is null)
        {
            throw new CliException($"Cannot merge the schemas into {display}: {result.MergeError ?? "nothing was collected"}. Fix the file (or delete it to start a new one).");
        }

        var (added, updated, removed, unchanged) = result.Changes;
        var existing = File.Exists(manifestPath) ? await File.ReadAllTextAsync(manifestPath, cancellationToken).ConfigureAwait(false) : null;
        if (existing == result.MergedManifest)
        {
            await context.Output.WriteLineAsync($"{display} is up to date ({unchanged} schema(s) unchanged).").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await File.WriteAllTextAsync(manifestPath, result.MergedManifest, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync($"{(existing is null ? "Created" : "Updated")} {display}: {added} added, {updated} updated, {removed} removed, {unchanged} unchanged.").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private string Format(Diagnostic diagnostic)
    {
        var span = diagnostic.Location.GetLineSpan();
        var where = diagnostic.Location.IsInSource
            ? $"{Path.GetRelativePath(context.CurrentDirectory, span.Path)}:{span.StartLinePosition.Line + 1}:{span.StartLinePosition.Character + 1}: "
            : "";
        var severity = diagnostic.Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        return $"{where}{severity} {diagnostic.Id}: {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
