using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ReJot.Schemas.Analyzers.Model;

namespace ReJot.Schemas.Analyzers.Tests;

public sealed class StringLiteralMapTests
{
    private static string MapText(string literal, string find)
    {
        var code = "class C { const string S = " + literal + "; }";
        var tree = CSharpSyntaxTree.ParseText(code);
        var token = tree.GetRoot().DescendantNodes().OfType<LiteralExpressionSyntax>().Single().Token;
        var map = StringLiteralMap.Create(token);
        Assert.NotNull(map);
        var value = token.ValueText;
        var start = value.IndexOf(find, StringComparison.Ordinal);
        Assert.True(start >= 0, "value does not contain " + find);
        var span = map.Map(start, find.Length);
        return code.Substring(span.Start, span.Length);
    }

    [Theory]
    [InlineData("\"SELECT :id\"", ":id", ":id")]
    [InlineData("\"a\\tb :id\"", ":id", ":id")]
    [InlineData("\"\\u0041 \\x41 :id\"", ":id", ":id")]
    [InlineData("\"x\\\"y\\\" :id\"", "\"y\"", "\\\"y\\\"")]
    [InlineData("@\"x \"\"Q\"\" :id\"", "\"Q\"", "\"\"Q\"\"")]
    [InlineData("\"\"\"SELECT \"Q\" :id\"\"\"", "\"Q\"", "\"Q\"")]
    [InlineData("\"\"\"\n    SELECT a\n      FROM t WHERE x = :id\n    \"\"\"", ":id", ":id")]
    [InlineData("\"\"\"\r\n    SELECT a\r\n\r\n    FROM t WHERE x = :id\r\n    \"\"\"", "a\r\n\r\nFROM", "a\r\n\r\n    FROM")]
    [InlineData("\"\"\"\"\n  \"\"\"x\"\"\" :id\n  \"\"\"\"", ":id", ":id")]
    public void Value_characters_map_back_to_the_source_that_wrote_them(string literal, string find, string source)
    {
        Assert.Equal(source, MapText(literal, find));
    }
}
