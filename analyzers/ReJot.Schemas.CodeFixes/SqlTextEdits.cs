using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace ReJot.Schemas.CodeFixes;

/// <summary>Replaces text inside a SQL string literal, escaping it for the literal's kind.</summary>
internal static class SqlTextEdits
{
    public static async Task<Document> ReplaceAsync(Document document, TextSpan span, string sqlText, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var token = root?.FindToken(span.Start) ?? default;
        var escaped = Escape(token, sqlText);
        return document.WithText(text.Replace(span, escaped));
    }

    /// <summary>SQL text as it must be written inside <paramref name="token"/>'s literal.</summary>
    public static string Escape(SyntaxToken token, string sqlText)
    {
        switch (token.Kind())
        {
            case SyntaxKind.StringLiteralToken when token.Text.StartsWith("@", System.StringComparison.Ordinal):
                return sqlText.Replace("\"", "\"\"");
            case SyntaxKind.StringLiteralToken:
                return sqlText.Replace("\\", "\\\\").Replace("\"", "\\\"");
            default:
                // Raw string literals take the text verbatim.
                return sqlText;
        }
    }
}
