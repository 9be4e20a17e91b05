using ReJot.Cli;

// Not disposed: the runtime may deliver a signal to this handler while the process is already returning from Main
// (the host's own SIGINT handling can finish the command first), and cancelling a disposed source would crash the
// process with an unhandled ObjectDisposedException on the signal thread.
var cancellation = new CancellationTokenSource();
ConsoleCancelEventHandler onCancel = (_, e) =>
{
    // The first Ctrl+C asks the command to stop; a second one ends the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

Console.CancelKeyPress += onCancel;
try
{
    return await CliApp.InvokeAsync(args, Console.Out, Console.Error, cancellation.Token).ConfigureAwait(false);
}
finally
{
    Console.CancelKeyPress -= onCancel;
}
