using System.Net.Sockets;

namespace ReJot.Testing;

/// <summary>Answers "does a Docker engine respond?" quickly, before Testcontainers spends time on it.</summary>
internal static class DockerProbe
{
    public static async Task<(bool Available, string Description)> ProbeAsync(CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        string socketPath;
        if (!string.IsNullOrEmpty(dockerHost))
        {
            if (!dockerHost.StartsWith("unix://", StringComparison.Ordinal))
            {
                // tcp:// or ssh:// endpoints: let Testcontainers try them.
                return (true, $"DOCKER_HOST={dockerHost}");
            }

            socketPath = dockerHost["unix://".Length..];
        }
        else
        {
            socketPath = "/var/run/docker.sock";
        }

        if (!File.Exists(socketPath))
        {
            return (false, $"no Docker engine socket at {socketPath}");
        }

        try
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
            using var response = await client.GetAsync(new Uri("http://localhost/_ping"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? (true, $"Docker engine at {socketPath}")
                : (false, $"Docker engine at {socketPath} answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or TaskCanceledException)
        {
            return (false, $"no Docker engine answered at {socketPath} ({ex.Message})");
        }
    }
}
