using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

/// <summary>
/// Another writer (a second portal process on the same SQLite file) held the database longer than the busy timeout
/// (<see cref="SqliteConnectionStrings"/>), or PostgreSQL gave this transaction up for another: the caller is told to
/// try again (503) rather than shown a server error. Nothing was written.
/// </summary>
public static class StoreBusy
{
    private const int Busy = 5;
    private const int Locked = 6;

    public const string Message = "The metadata store stayed busy with another writer for too long; nothing was changed. Try again in a moment.";

    public static bool Is(Exception? e) => e switch
    {
        null => false,
        SqliteException { SqliteErrorCode: Busy or Locked } => true,
        // PostgreSQL: a serialization failure, a deadlock victim, a lock not granted, or no connection slot left.
        Npgsql.PostgresException { SqlState: "40001" or "40P01" or "55P03" or "53300" } => true,
        _ => Is(e.InnerException),
    };
}
