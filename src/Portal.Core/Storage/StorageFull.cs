using Microsoft.Data.Sqlite;

namespace Portal.Core.Storage;

/// <summary>
/// Recognises a full disk (or quota) under the data directory, from the file store (ENOSPC, EDQUOT) or the metadata
/// store (SQLITE_FULL), wherever it surfaces, so the caller is told so (507) rather than shown a server error.
/// </summary>
public static class StorageFull
{
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int SqliteFull = 13;

    public const string Message = "The portal's storage is full, so nothing of this request was stored. Ask an administrator to free " +
                                  "space in the data directory, then try again.";

    public static bool Is(Exception? e) => e switch
    {
        null => false,
        IOException io when io.HResult is NoSpace or QuotaExceeded
            || io.Message.Contains("No space left on device", StringComparison.Ordinal) => true,
        SqliteException { SqliteErrorCode: SqliteFull } => true,
        Npgsql.PostgresException { SqlState: "53100" } => true,
        AggregateException a => a.InnerExceptions.Any(Is),
        _ => Is(e.InnerException),
    };
}
