using System.Reflection;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ReJot.Packaging.Tests;

/// <summary>
/// Packs ReJot.Schemas into a temporary folder feed under a unique version (so no cached copy is used),
/// and builds a fresh project that references it by package, restoring into its own package folder.
/// </summary>
public sealed class SchemasPackageTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rejot-packaging-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    private string Feed => Path.Combine(_root, "feed");

    private string Project => Path.Combine(_root, "Consumer");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Package_writes_the_manifest_on_build_and_fails_the_build_on_a_broken_schema()
    {
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryRoot();
        var (packExit, packOutput) = await DotnetProcess.RunAsync(repository, s_timeout, ct,
            "pack", Path.Combine(repository, "src", "ReJot.Schemas", "ReJot.Schemas.csproj"),
            "-c", Configuration(), "-o", Feed, $"-p:PackageVersion={_version}", "-nodeReuse:false");
        Assert.True(packExit == 0, packOutput);
        var package = Path.Combine(Feed, $"ReJot.Schemas.{_version}.nupkg");
        Assert.True(File.Exists(package), packOutput);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/netstandard2.0/ReJot.Schemas.dll", entries);
            Assert.Contains("lib/net10.0/ReJot.Schemas.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/ReJot.Schemas.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/ReJot.Schemas.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/ReJot.Schemas.CodeFixes.dll", entries);
            Assert.Contains("build/ReJot.Schemas.targets", entries);
            Assert.Contains("tasks/netstandard2.0/ReJot.Schemas.Tasks.dll", entries);
        }

        WriteConsumer(repository);
        File.WriteAllText(Path.Combine(Project, "rejot-manifest.json"), """
            {"slug": "accounts-service", "manifestVersion": 0,
             "connections": [{"slug": "accounts", "config": {"connectionType": "postgres", "host": "localhost", "port": 5432, "user": "postgres", "password": "${PGPASSWORD}", "database": "accounts"}}],
             "dataStores": [{"connectionSlug": "accounts", "config": {"connectionType": "postgres", "slotName": "rejot_slot", "publicationName": "rejot_pub"}}]}
            """);

        // (a) A valid schema: the build merges it into the manifest, keeping the connection and store.
        var (buildExit, buildOutput) = await DotnetProcess.RunAsync(Project, s_timeout, ct, "build", "-nodeReuse:false");
        Assert.True(buildExit == 0, buildOutput);
        Assert.Contains("ReJot: wrote schemas to", buildOutput);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Project, "rejot-manifest.json")))!;
        Assert.Equal("${PGPASSWORD}", (string?)manifest["connections"]![0]!["config"]!["password"]);
        Assert.Equal("rejot_slot", (string?)manifest["dataStores"]![0]!["config"]!["slotName"]);
        var schema = manifest["publicSchemas"]![0]!;
        Assert.Equal("account", (string?)schema["name"]);
        Assert.Equal("Account.cs", (string?)schema["definitionFile"]);
        Assert.Equal("""SELECT id, name AS "fullName" FROM accounts WHERE id = :id AND name LIKE 'a\%;b'""", (string?)schema["config"]!["transformations"]![0]!["sql"]);

        // (b) A broken one (named and positional placeholders mixed): the build fails with the analyzer's ID.
        File.WriteAllText(Path.Combine(Project, "Account.cs"), File.ReadAllText(Path.Combine(Project, "Account.cs")).Replace("WHERE id = :id", "WHERE id = :id OR id = $1"));
        var (brokenExit, brokenOutput) = await DotnetProcess.RunAsync(Project, s_timeout, ct, "build", "-nodeReuse:false");
        Assert.NotEqual(0, brokenExit);
        Assert.Contains("error RJ0002", brokenOutput);
    }

    private void WriteConsumer(string repository)
    {
        Directory.CreateDirectory(Project);
        // The repository's sources (the nuget.org mirror) plus the local feed, which alone may serve ReJot.Schemas.
        var sources = XDocument.Load(Path.Combine(repository, "nuget.config")).Descendants("packageSources").Elements("add")
            .Select(e => (Key: (string)e.Attribute("key")!, Value: (string)e.Attribute("value")!)).ToList();
        var config = new XElement("configuration",
            new XElement("packageSources", new XElement("clear"),
                new XElement("add", new XAttribute("key", "rejot-local"), new XAttribute("value", Feed)),
                sources.Select(s => new XElement("add", new XAttribute("key", s.Key), new XAttribute("value", s.Value)))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "rejot-local"), new XElement("package", new XAttribute("pattern", "ReJot.Schemas"))),
                sources.Select(s => new XElement("packageSource", new XAttribute("key", s.Key), new XElement("package", new XAttribute("pattern", "*"))))));
        config.Save(Path.Combine(Project, "nuget.config"));

        File.WriteAllText(Path.Combine(Project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>$(MSBuildThisFileDirectory)packages</RestorePackagesPath>
                <ReJotManifestFile>rejot-manifest.json</ReJotManifestFile>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ReJot.Schemas" Version="{_version}" />
              </ItemGroup>
            </Project>
            """);
        // Isolate from any Directory.Build.* above the temp folder.
        File.WriteAllText(Path.Combine(Project, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Project, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Project, "Account.cs"), """"
            using ReJot.Schemas;

            namespace Consumer;

            [PublicSchema("account", Source = "accounts")]
            [Transformation(Operation.InsertOrUpdate, "accounts", """SELECT id, name AS "fullName" FROM accounts WHERE id = :id AND name LIKE 'a\%;b'""")]
            public sealed partial record Account([property: Key] long Id, string FullName);

            public static class Program
            {
                public static void Main() => System.Console.WriteLine(Account.JsonSchema.Length);
            }
            """");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReJot.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReJot.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Configuration()
        => typeof(SchemasPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
}
