using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace ReJot.Reliability.Tests.Harness;

/// <summary>
/// <c>rejot manifest sync</c> as a child process, as an operator runs it. Keeps the tail of its output for
/// failure messages, can be SIGKILLed and restarted, and exposes <c>/health</c>.
/// </summary>
internal sealed class SyncProcess : IAsyncDisposable
{
    private const int KeptLines = 400;
    private readonly string _directory;
    private readonly string _manifest;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly Queue<string> _tail = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _starts;

    public SyncProcess(string directory, string manifest, IReadOnlyDictionary<string, string> environment)
    {
        _directory = directory;
        _manifest = manifest;
        _environment = environment;
        Port = FreePort();
    }

    public int Port { get; }

    public int Starts => _starts;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Every line seen that contains <paramref name="text"/>.</summary>
    public List<string> AllLinesContaining { get; } = [];

    /// <summary>Text to collect lines for (see <see cref="AllLinesContaining"/>).</summary>
    public string? Collect { get; set; }

    public Task Running => _running.Task;

    public void Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The sync process is already running.");
        }

        _process?.Dispose();
        _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rejot.dll"));
        foreach (var arg in new[] { "manifest", "sync", _manifest, "--api-port", Port.ToString(CultureInfo.InvariantCulture), "--log-level", "info" })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var run = ++_starts;
        process.OutputDataReceived += (_, e) => OnLine(run, e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(run, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the process says it runs; fails with the output if it exits first.</summary>
    public async Task WaitRunningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        var exited = process.WaitForExitAsync(cancellationToken);
        var done = await Task.WhenAny(Running, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (done != Running)
        {
            throw new Xunit.Sdk.XunitException($"manifest sync did not start within {timeout} (exited: {process.HasExited}).\n{Tail()}");
        }
    }

    /// <summary>GET /health: (status code, body), or null when the process does not answer.</summary>
    public async Task<(int Status, string Body)?> HealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://localhost:{Port}/health"), cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Stops with SIGINT (clean stop) and returns the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("Not started.");
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout).ConfigureAwait(false);
        return process.ExitCode;
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    private void OnLine(int run, string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("ReJot sync running", StringComparison.Ordinal))
        {
            _running.TrySetResult();
        }

        lock (_tail)
        {
            _tail.Enqueue($"[{run}] {line}");
            while (_tail.Count > KeptLines)
            {
                _tail.Dequeue();
            }

            if (Collect is { } text && line.Contains(text, StringComparison.Ordinal))
            {
                AllLinesContaining.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
