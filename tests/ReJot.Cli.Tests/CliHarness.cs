using ReJot.Manifest;

namespace ReJot.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>A temporary working directory in which the CLI runs in-process.</summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory = Path.Combine(Path.GetTempPath(), "rejot-cli-tests-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public Dictionary<string, string> Environment { get; } = [];

    public string ManifestPath => Path.Combine(Directory, ManifestFile.DefaultFileName);

    public string File(string relative) => Path.Combine(Directory, relative);

    public string Write(string relative, string content)
    {
        var full = File(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunInAsync(Directory, args);

    public async Task<CliResult> RunInAsync(string workingDirectory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, name => Environment.GetValueOrDefault(name), workingDirectory);
        var code = await CliApp.InvokeAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public async Task<CliResult> InitAsync(string slug = "accounts-service")
    {
        var result = await RunAsync("manifest", "init", "--slug", slug);
        Assert.Equal(0, result.ExitCode);
        return result;
    }

    public Task<ManifestDocument> ReadManifestAsync(string? path = null) =>
        ManifestFile.ReadAsync(path ?? ManifestPath, TestContext.Current.CancellationToken);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class CliAssert
{
    public static void Fails(CliResult result, int exitCode, string expected)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, expected {exitCode}\nstdout: {result.Output}\nstderr: {result.Error}");
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    public static void Succeeds(CliResult result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\nstdout: {result.Output}\nstderr: {result.Error}");
    }
}
