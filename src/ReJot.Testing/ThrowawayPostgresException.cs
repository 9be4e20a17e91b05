namespace ReJot.Testing;

/// <summary>
/// No PostgreSQL server could be provided, or the one provided is unusable (for example <c>wal_level</c> is not
/// <c>logical</c>). The message says what was tried and how to fix it.
/// </summary>
public sealed class ThrowawayPostgresException : Exception
{
    /// <summary>Creates the exception with an actionable message.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    public ThrowawayPostgresException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an actionable message and the underlying cause.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="innerException">The underlying cause.</param>
    public ThrowawayPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
