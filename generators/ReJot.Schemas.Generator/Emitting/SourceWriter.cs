using System.Text;

namespace ReJot.Schemas.Generator.Emitting;

/// <summary>An indented text writer for generated C# (4 spaces, <c>\n</c> line ends on every OS).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', _indent * 4).Append(line);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter OpenBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _indent++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c>.</summary>
    public SourceWriter CloseBlock()
    {
        _indent--;
        WriteLine("}");
        return this;
    }

    public override string ToString() => _builder.ToString();
}
