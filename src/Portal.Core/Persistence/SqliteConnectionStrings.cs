using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

public static class SqliteConnectionStrings
{
    /// <summary>Foreign keys on (cascades depend on them); a busy timeout so concurrent writers wait instead of failing.</summary>
    public static string For(string databaseFile) => new SqliteConnectionStringBuilder
    {
        DataSource = databaseFile,
        ForeignKeys = true,
        DefaultTimeout = 30,
        Pooling = true,
    }.ToString();
}
