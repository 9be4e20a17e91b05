using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReJot.Sync.Hosting;

namespace ReJot.Benchmarks;

/// <summary>
/// The sync engine in a child process (this program with <c>--engine-child</c>), so its memory is its own:
/// the peak is the child's VmHWM from /proc (Linux), read before it is told to stop.
/// Protocol on the child's stdout: <c>@starting</c> (just before StartAsync), <c>@ready</c>, <c>@fault {status}</c>;
/// the parent writes <c>stop</c> (or closes stdin) to stop it gracefully.
/// </summary>
internal sealed class EngineProcess : IAsyncDisposable
{
    private const string ChildFlag = "--engine-child";
    private readonly Process _process;
    private readonly TaskCompletionSource<TimeSpan> _starting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _clock;
    private bool _stopped;

    private EngineProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
    }

    /// <summary>Elapsed time of the caller's clock when the child was about to start the engine.</summary>
    public Task<TimeSpan> Starting => _starting.Task;

    public string? LastFault { get; private set; }

    public static bool IsChild(string[] args) => args.Length > 0 && args[0] == ChildFlag;

    public static async Task<EngineProcess> StartAsync(string sourceConnection, string sinkConnection, string slot, string? eventStoreConnection, Stopwatch clock)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        info.ArgumentList.Add(ChildFlag);
        info.Environment["REJOT_BENCH_SOURCE"] = sourceConnection;
        info.Environment["REJOT_BENCH_SINK"] = sinkConnection;
        info.Environment["REJOT_BENCH_SLOT"] = slot;
        info.Environment["REJOT_BENCH_EVENTS"] = eventStoreConnection ?? "";
        var process = new Process { StartInfo = info };
        var engine = new EngineProcess(process, clock);
        process.OutputDataReceived += (_, e) => engine.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("  [engine] " + e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await engine._ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return engine;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _ready.TrySetException(new InvalidOperationException("The engine process exited before it was ready."));
            return;
        }

        if (line == "@starting")
        {
            _starting.TrySetResult(_clock.Elapsed);
        }
        else if (line == "@ready")
        {
            _ready.TrySetResult();
        }
        else if (line.StartsWith("@fault ", StringComparison.Ordinal))
        {
            LastFault = line[7..];
            Console.Error.WriteLine("  [engine fault] " + LastFault);
        }
        else
        {
            Console.WriteLine("  [engine] " + line);
        }
    }

    /// <summary>CPU seconds the child has used so far; null where /proc is not available.</summary>
    public double? CpuSeconds() => _process.HasExited ? null : CpuMeter.ProcessSeconds(_process.Id);

    /// <summary>Peak resident set size of the child so far (VmHWM), in MiB; null where /proc is not available.</summary>
    public double? PeakMemoryMiB()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The engine process did not stop within a minute.");
        }

        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The engine process exited with code {_process.ExitCode}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>The child: runs one engine until told to stop; reports faults on stdout.</summary>
    public static async Task<int> RunChildAsync()
    {
        var model = BenchModel.Local(
            Environment.GetEnvironmentVariable("REJOT_BENCH_SOURCE")!,
            Environment.GetEnvironmentVariable("REJOT_BENCH_SINK")!,
            Environment.GetEnvironmentVariable("REJOT_BENCH_SLOT")!,
            Environment.GetEnvironmentVariable("REJOT_BENCH_EVENTS") is { Length: > 0 } events ? events : null);
        using var loggerFactory = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        await using var engine = new SyncEngine(model, new ReJotSyncOptions(), loggerFactory, TimeProvider.System, new SyncMetrics());
        Console.WriteLine("@starting");
        await engine.StartAsync(CancellationToken.None);
        Console.WriteLine("@ready");
        var stop = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line && line != "stop")
            {
            }
        });
        string? reported = null;
        while (!stop.IsCompleted)
        {
            await Task.WhenAny(stop, Task.Delay(500));
            var status = engine.GetStatus();
            var fault = status.Sources.FirstOrDefault(s => s.Error is not null)?.Error ?? status.Consumers.FirstOrDefault(c => c.Faulted)?.Error;
            if (fault is not null && fault != reported)
            {
                Console.WriteLine("@fault " + JsonSerializer.Serialize(status));
            }

            reported = fault;
        }

        await engine.StopAsync(CancellationToken.None);
        return 0;
    }
}
