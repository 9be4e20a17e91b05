using Npgsql;

namespace ReJot.Sync.EventStore;

/// <summary>
/// One LISTEN connection per store instance. Waiters take the current signal; every notification completes it
/// and replaces it. A lost connection is re-established with backoff, waking everyone so they look again.
/// </summary>
internal sealed class EventStoreNotifications(NpgsqlDataSource dataSource, string channel, TimeProvider timeProvider) : IAsyncDisposable
{
    private int _disposed;

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _signal = NewSignal();
    private Task? _loop;
    private TaskCompletionSource? _listening;

    public async Task<Task> GetSignalAsync(CancellationToken cancellationToken)
    {
        Task listening;
        lock (_gate)
        {
            if (_loop is null)
            {
                _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _loop = Task.Run(() => RunAsync(_stop.Token));
            }

            listening = _listening!.Task;
        }

        // The first waiter must not look before LISTEN is active, or it could miss the first notification.
        await listening.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _signal;
            _signal = NewSignal();
        }

        previous.TrySetResult();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, _) => Signal();
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                _listening?.TrySetResult();
                delay = TimeSpan.FromMilliseconds(100);
                Signal();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Wake waiters so they read (they may have missed notifications), then reconnect.
                _listening?.TrySetResult();
                Signal();
                try
                {
                    await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: hosts may dispose the same singleton through several service registrations.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        Signal();
    }
}
