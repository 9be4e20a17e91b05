using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ReJot.Schemas.Generator.Model;

/// <summary>A <see cref="Location"/> reduced to values, so it can cross pipeline stages.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(SyntaxNode node)
    {
        var location = node.GetLocation();
        if (location.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}
