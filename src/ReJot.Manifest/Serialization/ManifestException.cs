namespace ReJot.Manifest;

/// <summary>
/// A manifest file cannot be read: it is missing, is not valid JSON, has a value of the wrong type, lacks a
/// required field or has an unsupported <c>manifestVersion</c>. The message names the file, the line and
/// column (1-based) and what was expected.
/// </summary>
public sealed class ManifestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong, without the location.</param>
    /// <param name="filePath">The file, when known.</param>
    /// <param name="line">1-based line, when known.</param>
    /// <param name="column">1-based column, when known.</param>
    /// <param name="jsonPath">Path of the offending value, e.g. <c>connections[0].config.port</c>.</param>
    /// <param name="innerException">The underlying exception.</param>
    public ManifestException(string problem, string? filePath = null, int? line = null, int? column = null, string? jsonPath = null, Exception? innerException = null)
        : base(Format(problem, filePath, line, column), innerException)
    {
        Problem = problem;
        FilePath = filePath;
        Line = line;
        Column = column;
        JsonPath = jsonPath;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>The manifest file, when known.</summary>
    public string? FilePath { get; }

    /// <summary>1-based line of the problem, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column of the problem, when known.</summary>
    public int? Column { get; }

    /// <summary>Path of the offending value inside the manifest (e.g. <c>connections[0].config.port</c>), when known.</summary>
    public string? JsonPath { get; }

    private static string Format(string problem, string? filePath, int? line, int? column)
    {
        var where = filePath ?? "manifest";
        if (line is not null)
        {
            where += $":{line}";
            if (column is not null)
            {
                where += $":{column}";
            }
        }

        return $"{where}: {problem}";
    }
}
