using ReJot.Schemas.Analyzers.Analyzers;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class ManifestSlugAnalyzerTests
{
    [Theory]
    [InlineData("accounts-service")]
    [InlineData("@acme/accounts")]
    [InlineData("@acme/")]
    [InlineData("a1")]
    public async Task Valid_manifest_slugs_report_nothing(string slug)
    {
        await Verify.AnalyzerAsync<ManifestSlugAnalyzer>("[assembly: ReJotManifest(\"" + slug + "\")]");
    }

    [Theory]
    [InlineData("Accounts")]
    [InlineData("accounts_service")]
    [InlineData("@acme")]
    [InlineData("")]
    [InlineData("a b")]
    public async Task Invalid_manifest_slug_reports_RJ0022_on_the_argument(string slug)
    {
        await Verify.AnalyzerAsync<ManifestSlugAnalyzer>("[assembly: ReJotManifest({|RJ0022:\"" + slug + "\"|})]");
    }

    [Fact]
    public async Task Manifest_slug_from_a_constant_is_checked()
    {
        await Verify.AnalyzerAsync<ManifestSlugAnalyzer>("""
            [assembly: ReJotManifest({|RJ0022:Names.Slug|})]

            internal static class Names
            {
                public const string Slug = "Not_Valid";
            }
            """);
    }

    [Fact]
    public async Task Other_assembly_attributes_are_ignored()
    {
        await Verify.AnalyzerAsync<ManifestSlugAnalyzer>("""
            [assembly: System.Reflection.AssemblyTitle("Not A Slug")]
            """);
    }
}
