namespace ReJot.Manifest.Tests;

public sealed class ManifestWorkspaceTests
{
    private static string Manifest(string slug, params string[] children) =>
        ManifestSerializer.Write(new ManifestDocument { Slug = slug, ManifestVersion = 0, Workspaces = children.Length == 0 ? null : [.. children] });

    [Fact]
    public async Task Root_and_children_load_with_paths_relative_to_the_listing_file()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "services/a/rejot-manifest.json", "services/b/rejot-manifest.json"));
        temp.Write("services/a/rejot-manifest.json", Manifest("a", "../c/rejot-manifest.json"));
        temp.Write("services/b/rejot-manifest.json", Manifest("b"));
        temp.Write("services/c/rejot-manifest.json", Manifest("c"));

        var workspace = await ManifestWorkspace.LoadAsync(root, TestContext.Current.CancellationToken);

        Assert.Equal(["root", "a", "c", "b"], workspace.Manifests.Select(m => m.Manifest.Slug));
        Assert.Equal(temp.File("services/c/rejot-manifest.json"), workspace.Manifests[2].Path);
        Assert.Empty(workspace.Problems);
        Assert.True(workspace.Verify().IsValid);
    }

    [Fact]
    public async Task Missing_child_is_reported_not_skipped()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "gone/rejot-manifest.json"));

        var workspace = await ManifestWorkspace.LoadAsync(root, TestContext.Current.CancellationToken);

        var problem = Assert.Single(workspace.Problems);
        Assert.Equal("WORKSPACE_MANIFEST_NOT_FOUND", problem.Type);
        Assert.Equal("workspaces[0]: gone/rejot-manifest.json", problem.Location.Context);
        Assert.False(workspace.Verify().IsValid);
    }

    [Fact]
    public async Task Cycles_are_reported()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "a/rejot-manifest.json"));
        temp.Write("a/rejot-manifest.json", Manifest("a", "../rejot-manifest.json"));

        var workspace = await ManifestWorkspace.LoadAsync(root, TestContext.Current.CancellationToken);

        Assert.Equal(["root", "a"], workspace.Manifests.Select(m => m.Manifest.Slug));
        Assert.Equal("WORKSPACE_CYCLE", Assert.Single(workspace.Problems).Type);
    }

    [Fact]
    public async Task Unreadable_child_is_reported_with_its_location()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "a/rejot-manifest.json"));
        temp.Write("a/rejot-manifest.json", "{\"slug\": \"a\",\n \"manifestVersion\": 7}");

        var workspace = await ManifestWorkspace.LoadAsync(root, TestContext.Current.CancellationToken);

        var problem = Assert.Single(workspace.Problems);
        Assert.Equal("WORKSPACE_MANIFEST_INVALID", problem.Type);
        Assert.Contains("rejot-manifest.json:2:21: unsupported manifestVersion 7", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_slugs_across_the_workspace_are_found()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "a/rejot-manifest.json"));
        temp.Write("a/rejot-manifest.json", Manifest("root"));

        var workspace = await ManifestWorkspace.LoadAsync(root, TestContext.Current.CancellationToken);

        Assert.Contains(workspace.Verify().Diagnostics, d => d.Type == "DUPLICATE_MANIFEST_SLUG");
    }

    [Fact]
    public async Task Root_is_found_upward_from_a_child_directory()
    {
        using var temp = new TempDirectory();
        var root = temp.Write("rejot-manifest.json", Manifest("root", "svc/rejot-manifest.json"));
        temp.Write("svc/rejot-manifest.json", Manifest("svc"));
        Directory.CreateDirectory(temp.File("svc/src/deep"));
        temp.Write("other/rejot-manifest.json", Manifest("other"));

        Assert.Equal(root, await ManifestWorkspace.FindRootAsync(temp.File("svc/src/deep"), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(temp.File("other/rejot-manifest.json"), await ManifestWorkspace.FindRootAsync(temp.File("other"), cancellationToken: TestContext.Current.CancellationToken));
    }
}
