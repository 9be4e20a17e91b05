using System.Diagnostics;
using System.Globalization;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ReJot.Schemas;
using ReJot.Schemas.Generator;

// The schema generator's own time (GeneratorDriver timing) on a project of 200 schemas:
// 100 public schemas and 100 consumers, one per file, plus 100 unrelated files.
const int PublicSchemas = 100;
const int Rounds = 15;

var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
var trees = new List<SyntaxTree>();
for (var i = 0; i < PublicSchemas; i++)
{
    trees.Add(Parse($$""""
        using ReJot.Schemas;
        namespace Bench.Contracts;
        public enum Status{{i}} { Open, Closed }
        public sealed record Line{{i}}(string Sku, int Quantity, decimal Price);
        [PublicSchema("schema-{{i}}", Source = "main", Major = 1, Minor = {{i % 3}})]
        [Transformation(Operation.InsertOrUpdate, "table_{{i}}", """SELECT id, name, email, created_at AS "createdAt", status, total FROM table_{{i}} WHERE id = :id""")]
        [Transformation(Operation.Delete, "table_{{i}}", """SELECT :id AS "id" """)]
        public sealed partial record Contract{{i}}([property: Key] long Id, string Name, string? Email, System.DateTimeOffset CreatedAt,
            Status{{i}} Status, decimal Total, System.Collections.Generic.List<Line{{i}}> Lines);
        """", $"Contract{i}.cs"));
    trees.Add(Parse($$"""
        using ReJot.Schemas;
        namespace Bench.Consumers;
        [ConsumerSchema<Bench.Contracts.Contract{{i}}>("consumer-{{i}}", Destination = "sink")]
        public sealed partial class Consumer{{i}}
        {
            [UpsertSql] const string Upsert = "INSERT INTO c_{{i}} (id, name) VALUES (:id, :name) ON CONFLICT (id) DO UPDATE SET name = :name";
            [DeleteSql] const string Delete = "DELETE FROM c_{{i}} WHERE id = :id";
        }
        """, $"Consumer{i}.cs"));
    trees.Add(Parse($$"""
        namespace Bench.Other;
        internal static class Helper{{i}} { public static int Compute(int x) => x * {{i}} + 1; }
        """, $"Helper{i}.cs"));
}

var compilation = CSharpCompilation.Create(
    "Bench.Service",
    trees,
    [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(PublicSchemaAttribute).Assembly.Location)],
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
var helper = compilation.SyntaxTrees.First(t => t.FilePath == "Helper7.cs");
var edited = compilation.ReplaceSyntaxTree(helper, Parse(helper.ToString().Replace("+ 1", "+ 2"), helper.FilePath));
var contract = edited.SyntaxTrees.First(t => t.FilePath == "Contract7.cs");
var changed = edited.ReplaceSyntaxTree(contract, Parse(contract.ToString().Replace("WHERE id = :id", "WHERE id = :id AND true"), contract.FilePath));

// Bind each compilation once (the compiler or IDE does that anyway), so the figures are the generator's own.
foreach (var c in new[] { compilation, edited, changed })
{
    _ = c.GetDiagnostics();
}

var full = new List<double>();
var unrelatedEdit = new List<double>();
var schemaEdit = new List<double>();
var wall = Stopwatch.StartNew();
for (var round = 0; round < Rounds + 2; round++)
{
    GeneratorDriver driver = CSharpGeneratorDriver.Create([new SchemaGenerator().AsSourceGenerator()], parseOptions: parseOptions);
    driver = driver.RunGenerators(compilation);
    var fullTime = driver.GetTimingInfo().ElapsedTime;
    var outputs = driver.GetRunResult().GeneratedTrees.Length;

    driver = driver.RunGenerators(edited);
    var unrelatedTime = driver.GetTimingInfo().ElapsedTime;

    driver = driver.RunGenerators(changed);
    var schemaTime = driver.GetTimingInfo().ElapsedTime;

    if (round >= 2)
    {
        // The first two rounds warm up the JIT.
        full.Add(fullTime.TotalMilliseconds);
        unrelatedEdit.Add(unrelatedTime.TotalMilliseconds);
        schemaEdit.Add(schemaTime.TotalMilliseconds);
    }

    if (round == 0)
    {
        Console.WriteLine($"{trees.Count} files, {PublicSchemas * 2} schemas ({PublicSchemas} public, {PublicSchemas} consumers), {outputs} generated files; first (cold) run {Ms(fullTime.TotalMilliseconds)}");
    }
}

Console.WriteLine($"generator time, median of {Rounds} [min-max]:");
Console.WriteLine($"  full run:                         {Summary(full)}");
Console.WriteLine($"  incremental, unrelated file edit: {Summary(unrelatedEdit)}");
Console.WriteLine($"  incremental, one schema's SQL:    {Summary(schemaEdit)}");
Console.WriteLine($"(benchmark wall time {wall.Elapsed.TotalSeconds:F1} s, {Environment.ProcessorCount} cores)");
return;

SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, parseOptions, path);

static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";

static string Summary(List<double> values)
{
    var sorted = values.Order().ToList();
    return $"{Ms(sorted[sorted.Count / 2])} [{Ms(sorted[0])}-{Ms(sorted[^1])}]";
}
