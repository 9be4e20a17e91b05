using System.Text;
using ReJot.Sql;

namespace ReJot.Sql.Tests;

public sealed class SqlRobustnessTests
{
    private static readonly string[] s_fragments =
    [
        "SELECT", " ", "\n", "a", "Ab", ".", ",", "(", ")", "[", "]", ":", "::", ":=", ":id", ":idx", "$1", "$2", "$$",
        "$t$", "'", "''", "E'", "\\", "\"", "\"\"", "--", "/*", "*/", "*", "+", "-", "=", "<>", "0", "1.5e3", ";",
        "U&'", "B'01'", "x", "CASE", "END", "AS", "FROM", "é",
    ];

    private static string RandomSql(Random random)
    {
        var builder = new StringBuilder();
        var count = random.Next(0, 40);
        for (var i = 0; i < count; i++)
        {
            builder.Append(s_fragments[random.Next(s_fragments.Length)]);
        }

        return builder.ToString();
    }

    [Fact]
    public void Random_text_always_tokenizes_into_contiguous_tokens_without_throwing()
    {
        var random = new Random(20261128);
        for (var run = 0; run < 5000; run++)
        {
            var sql = RandomSql(random);
            var tokenization = SqlTokenizer.Tokenize(sql);
            var position = 0;
            foreach (var token in tokenization.Tokens)
            {
                Assert.Equal(position, token.Start);
                Assert.True(token.Length > 0, "empty token in: " + sql);
                position = token.End;
            }

            Assert.Equal(sql.Length, position);
            foreach (var error in tokenization.Errors)
            {
                Assert.InRange(error.Start, 0, sql.Length);
                Assert.InRange(error.Start + error.Length, error.Start, sql.Length);
            }

            _ = SqlSelectList.TryRead(tokenization);
        }
    }

    [Fact]
    public void Random_named_sql_converts_to_positional_sql_with_the_same_placeholder_count()
    {
        var random = new Random(7);
        var converted = 0;
        for (var run = 0; run < 5000; run++)
        {
            var sql = RandomSql(random);
            var analysis = SqlPlaceholders.Analyze(sql);
            if (analysis.Errors.Count > 0 || analysis.Style != PlaceholderStyle.Named)
            {
                Assert.ThrowsAny<Exception>(() =>
                {
                    if (analysis.Errors.Count == 0 && analysis.Style is PlaceholderStyle.None or PlaceholderStyle.Positional && analysis.IsPositionalSequential)
                    {
                        throw new InvalidOperationException("valid, nothing to check");
                    }

                    SqlPlaceholders.ToPositional(sql);
                });
                continue;
            }

            var result = SqlPlaceholders.ToPositional(sql);
            var after = SqlPlaceholders.Analyze(result.Sql);
            Assert.Equal(analysis.Placeholders.Count, after.Placeholders.Count);
            Assert.All(after.Placeholders, p => Assert.False(p.IsNamed));
            Assert.True(after.IsPositionalSequential);
            Assert.Equal(analysis.NamedParameters, result.ParameterNames);
            for (var i = 0; i < analysis.Placeholders.Count; i++)
            {
                Assert.Equal(analysis.NamedParameters[after.Placeholders[i].Index - 1], analysis.Placeholders[i].Name);
            }

            converted++;
        }

        Assert.True(converted > 100);
    }
}
