using System.Diagnostics;
using System.Text;

namespace ReJot.Cli.Tests;

/// <summary>
/// Malformed and hostile manifests through the commands that read them (<c>manifest info</c>, <c>manifest sync</c>):
/// a non-zero exit, one clear line, no stack trace, and bounded time and memory. The reader's own rules (every
/// truncation, every wrong kind of value, workspace problems) are covered in ReJot.Manifest.Tests.
/// </summary>
public sealed class HostileManifestTests : IDisposable
{
    private const string Valid = """{"slug": "svc", "manifestVersion": 0, "connections": [], "dataStores": [], "eventStores": [], "publicSchemas": [], "consumerSchemas": []}""";

    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    public static TheoryData<string, string, string> Cases => new()
    {
        { "wrong type", """{"slug": 5, "manifestVersion": 0}""", "slug" },
        { "version as a string", """{"slug": "svc", "manifestVersion": "0"}""", "manifestVersion" },
        { "unknown version", """{"slug": "svc", "manifestVersion": 99}""", "manifestVersion" },
        { "negative huge number", """{"slug": "svc", "manifestVersion": -99999999999999999999999999}""", "manifestVersion" },
        { "array at the top", "[]", "rejot-manifest.json" },
        { "null at the top", "null", "rejot-manifest.json" },
        { "not json", "\u0000\u0001binary", "rejot-manifest.json" },
        { "deep nesting", """{"slug": "svc", "manifestVersion": 0, "extra": """ + new string('[', 100_000) + new string(']', 100_000) + "}", "depth" },
        { "deep nesting in an output schema", """{"slug": "svc", "manifestVersion": 0, "publicSchemas": [{"name": "a", "source": {"dataStoreSlug": "d"}, "outputSchema": """
            + string.Concat(Enumerable.Repeat("""{"a":""", 5_000)) + "1" + new string('}', 5_000) + "}]}", "depth" },
        { "duplicate schemas", """{"slug": "svc", "manifestVersion": 0, "publicSchemas": [], "publicSchemas": 3}""", "publicSchemas" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Manifest_info_rejects_it_with_one_clear_line(string what, string json, string mentions)
    {
        _cli.Write("rejot-manifest.json", json);
        AssertOneClearError(await TimedAsync(() => _cli.RunAsync("manifest", "info")), what, mentions);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Manifest_sync_rejects_it_with_one_clear_line_before_touching_a_database(string what, string json, string mentions)
    {
        _cli.Write("rejot-manifest.json", json);
        AssertOneClearError(await TimedAsync(() => _cli.RunAsync("manifest", "sync", "rejot-manifest.json")), what, mentions);
    }

    [Fact]
    public async Task Invalid_utf8_is_reported_with_its_position_not_replaced_in_silence()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"slug": "svc-X", "manifestVersion": 0}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte without its continuation
        await File.WriteAllBytesAsync(_cli.File("rejot-manifest.json"), bytes, TestContext.Current.CancellationToken);
        AssertOneClearError(await _cli.RunAsync("manifest", "info"), "invalid UTF-8", "UTF-8");
    }

    [Fact]
    public async Task A_100_MB_string_is_refused_by_size_quickly()
    {
        using (var file = File.CreateText(_cli.File("rejot-manifest.json")))
        {
            await file.WriteAsync("{\"slug\": \"");
            await file.WriteAsync(new string('x', 100 * 1024 * 1024));
            await file.WriteAsync("\", \"manifestVersion\": 0}");
        }

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var result = await TimedAsync(() => _cli.RunAsync("manifest", "info"));
        AssertOneClearError(result, "100 MB", "MB");
        Assert.True(GC.GetTotalMemory(forceFullCollection: false) - memoryBefore < 64L * 1024 * 1024, "a refused manifest must not be read into memory");
    }

    [Fact]
    public async Task A_manifest_with_100_000_schemas_loads_in_bounded_time()
    {
        var schemas = string.Join(",", Enumerable.Range(0, 100_000).Select(i =>
            $$$"""{"name": "s{{{i}}}", "source": {"dataStoreSlug": "d"}, "outputSchema": {"type": "object"}, "version": {"major": 1, "minor": 0}, "config": {"publicSchemaType": "postgres", "transformations": []}}"""));
        _cli.Write("rejot-manifest.json", $$"""{"slug": "svc", "manifestVersion": 0, "publicSchemas": [{{schemas}}]}""");
        var result = await TimedAsync(() => _cli.RunAsync("manifest", "info"));
        // Valid JSON of a plausible shape: read (or refused by a documented limit), never hanging or crashing.
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("--verbose", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_million_schemas_is_refused_by_the_size_limit()
    {
        var schema = """{"name":"s","source":{"dataStoreSlug":"d"},"outputSchema":{}},""";
        using (var file = File.CreateText(_cli.File("rejot-manifest.json")))
        {
            await file.WriteAsync("""{"slug":"svc","manifestVersion":0,"publicSchemas":[""");
            for (var i = 0; i < 1_000_000; i++)
            {
                await file.WriteAsync(schema);
            }

            await file.WriteAsync("""{"name":"last","source":{"dataStoreSlug":"d"},"outputSchema":{}}]}""");
        }

        AssertOneClearError(await TimedAsync(() => _cli.RunAsync("manifest", "info")), "a million schemas", "MB");
    }

    [Theory]
    [InlineData("itself")]
    [InlineData("a cycle")]
    public async Task A_workspace_that_includes_itself_is_reported_not_followed_forever(string shape)
    {
        if (shape == "itself")
        {
            _cli.Write("rejot-manifest.json", """{"slug": "root", "manifestVersion": 0, "workspaces": ["rejot-manifest.json", "./rejot-manifest.json"]}""");
        }
        else
        {
            _cli.Write("rejot-manifest.json", """{"slug": "root", "manifestVersion": 0, "workspaces": ["a/rejot-manifest.json"]}""");
            _cli.Write("a/rejot-manifest.json", """{"slug": "a", "manifestVersion": 0, "workspaces": ["../b/rejot-manifest.json"]}""");
            _cli.Write("b/rejot-manifest.json", """{"slug": "b", "manifestVersion": 0, "workspaces": ["../a/rejot-manifest.json"]}""");
        }

        // Verification problems use the diagnostic format (code, location, hint, summary line), one block each.
        var result = await TimedAsync(() => _cli.RunAsync("manifest", "sync", "rejot-manifest.json"));
        Assert.True(result.ExitCode == 1, $"{shape}: exit {result.ExitCode}\n{result.All}");
        Assert.Contains("error WORKSPACE_CYCLE: Workspace entry", result.Error, StringComparison.Ordinal);
        Assert.Contains("Workspaces form a tree", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("--verbose", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.json")]
    [InlineData("a-directory")]
    public async Task A_manifest_that_is_missing_or_a_directory_is_one_line(string name)
    {
        Directory.CreateDirectory(_cli.File("a-directory"));
        _cli.Write("rejot-manifest.json", Valid);
        AssertOneClearError(await _cli.RunAsync("manifest", "sync", name), name, name);
    }

    private static async Task<CliResult> TimedAsync(Func<Task<CliResult>> run)
    {
        var watch = Stopwatch.StartNew();
        var result = await run();
        // Generous for a loaded 2-core machine; a quadratic check or a hang blows well past it.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        return result;
    }

    private static void AssertOneClearError(CliResult result, string what, string mentions)
    {
        var error = result.Error.ReplaceLineEndings("\n").TrimEnd('\n');
        Assert.True(result.ExitCode == 1, $"{what}: exit {result.ExitCode}\nstdout: {Short(result.Output)}\nstderr: {Short(result.Error)}");
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        // An expected, explained failure: not the generic "unexpected error, run with --verbose".
        Assert.DoesNotContain("--verbose", error, StringComparison.Ordinal);
        Assert.True(error.StartsWith("error: ", StringComparison.Ordinal) && !error.Contains('\n', StringComparison.Ordinal), $"{what}: not one error line: {Short(error)}");
        Assert.Contains(mentions, error, StringComparison.OrdinalIgnoreCase);
        Assert.True(error.Length < 2000, $"{what}: error line of {error.Length} characters");
    }

    private static string Short(string text) => text.Length > 1000 ? text[..1000] + "…" : text;
}
