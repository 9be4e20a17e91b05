using System.Globalization;
using ReJot.Testing;

namespace ReJot.Testing.Tests;

/// <summary>The xunit entry point plus a child mode that owns a cluster until it is killed.</summary>
internal static class Program
{
    public const string OrphanChildArgument = "--rejot-orphan-child";

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == OrphanChildArgument)
        {
            return RunOrphanChild(args[1]);
        }

        // Same dispatch as xunit's generated entry point.
        if (args.Any(arg => arg is "--server" or "--internal-msbuild-node"))
        {
            return Xunit.MicrosoftTestingPlatform.TestPlatformTestFramework.RunAsync(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions).GetAwaiter().GetResult();
        }

        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }

    private static int RunOrphanChild(string root)
    {
        var options = new ThrowawayPostgresOptions { NamePrefix = "orphan", RootDirectory = root, ConnectionEnvironmentVariable = null };
        var server = ThrowawayPostgres.StartAsync(options).GetAwaiter().GetResult();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {server.Cluster!.PostmasterProcessId()} {server.ClusterDirectory}"));
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
