using System.Formats.Tar;
using System.IO.Pipelines;

namespace Portal.Orchestration.Builds;

/// <summary>
/// A project folder as the tar stream Docker builds from. Streamed through a pipe, so a large project is never
/// held in memory. Skips <c>.git</c> and what <c>.dockerignore</c> names (plain names and <c>dir/</c> prefixes,
/// <c>*.ext</c> suffixes; Docker's full pattern language is not needed for project folders). Symbolic links
/// are kept as links, never followed out of the folder.
/// </summary>
public static class BuildContext
{
    public static Stream Open(string directory, CancellationToken ct)
    {
        var root = Path.GetFullPath(directory);
        var ignore = ReadIgnore(root);
        var pipe = new Pipe();
        _ = Task.Run(async () =>
        {
            Exception? error = null;
            try
            {
                await using var writer = new TarWriter(pipe.Writer.AsStream(), TarEntryFormat.Pax, leaveOpen: true);
                foreach (var path in Walk(root, ignore))
                {
                    ct.ThrowIfCancellationRequested();
                    var name = Path.GetRelativePath(root, path).Replace('\\', '/');
                    await writer.WriteEntryAsync(path, name, ct);
                }
            }
            catch (Exception e) { error = e; }
            await pipe.Writer.CompleteAsync(error);
        }, CancellationToken.None);
        return pipe.Reader.AsStream();
    }

    private static IEnumerable<string> Walk(string root, List<string> ignore)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root, entry).Replace('\\', '/');
                if (relative == ".git" || Ignored(relative, ignore)) continue;
                yield return entry;
                var info = new DirectoryInfo(entry);
                if (info.Exists && info.LinkTarget is null) pending.Push(entry);
            }
        }
    }

    private static List<string> ReadIgnore(string root)
    {
        var file = Path.Combine(root, ".dockerignore");
        if (!File.Exists(file)) return [];
        return File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimStart('/').TrimEnd('/')).ToList();
    }

    private static bool Ignored(string relative, List<string> patterns) => patterns.Any(p =>
        relative == p || relative.StartsWith(p + "/", StringComparison.Ordinal)
        || p.StartsWith("*.", StringComparison.Ordinal) && relative.EndsWith(p[1..], StringComparison.Ordinal)
        || p.StartsWith("**/*.", StringComparison.Ordinal) && relative.EndsWith(p[4..], StringComparison.Ordinal));
}
