using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Core.Builds;
using Portal.Core.Containers;
using Portal.Core.Entities;
using Portal.Core.Errors;

namespace Portal.Core.Packages;

/// <summary>
/// The folder a package's image is built from: a Dockerfile, the portal's toolkit, the version's files and (from a home
/// directory or a git clone) the prediction code. Only regular files are copied: a link is left out, never followed, so no
/// file of the host outside the folder reaches the image; <c>.git</c> is left out too.
/// </summary>
public static class PackageContext
{
    public const string ModelDir = "/opt/model/files";
    public const string CodeDir = "/opt/model/code";
    public const int Port = 8080;

    /// <param name="codeFolder">The home directory or clone to copy the code from; null when it is in the build's image.</param>
    public static async Task WriteAsync(string dir, PackagePlan plan, string modelFolder, string? codeFolder, Func<string, Task> say, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var copied = await CopyAsync(PortalToolkit.Directory, Path.Combine(dir, "toolkit"), ct);
        await say($"Toolkit: {copied.Files} files");
        copied = await CopyAsync(modelFolder, Path.Combine(dir, "model"), ct);
        await say($"Model version {plan.Version.Model!.Name}/{plan.Version.Name}: {copied.Files} files, {copied.Bytes:N0} bytes");
        if (codeFolder is not null)
        {
            copied = await CopyAsync(codeFolder, Path.Combine(dir, "code"), ct);
            await say($"Prediction code: {copied.Files} files{(copied.Links > 0 ? $" ({copied.Links} links left out)" : "")}");
            if (!File.Exists(Path.Combine(dir, "code", plan.Entry)))
                throw new ValidationFailedException("entry", $"There is no '{plan.Entry}' in the prediction code (links are left out, never followed).");
        }
        await File.WriteAllTextAsync(Path.Combine(dir, "Dockerfile"), Dockerfile(plan), new UTF8Encoding(false), ct);
    }

    public static string Dockerfile(PackagePlan plan)
    {
        var codeDir = plan.ImageCodeDir ?? CodeDir;
        var meta = WorkloadMeta.ForDeployment(plan.Project, plan.Name, plan.Version);
        var d = new StringBuilder();
        d.AppendLine(CultureInfo.InvariantCulture, $"# The model package '{plan.Name}' ({plan.Kind.ToString().ToLowerInvariant()}): {plan.Version.Model!.Name}/{plan.Version.Name} "
            + $"with {plan.Entry} of the project '{plan.Project.Name}'. Made by the MLOps portal.");
        d.AppendLine(CultureInfo.InvariantCulture, $"FROM {plan.Build?.Image ?? ProjectImages.NotebookBase}");
        d.AppendLine("USER root");
        d.AppendLine(CultureInfo.InvariantCulture, $"COPY toolkit {PortalToolkit.ContainerPath}");
        d.AppendLine(CultureInfo.InvariantCulture, $"COPY model {ModelDir}");
        if (plan.ImageCodeDir is null) d.AppendLine(CultureInfo.InvariantCulture, $"COPY code {CodeDir}");
        d.AppendLine(CultureInfo.InvariantCulture, $"ENV PYTHONPATH={PortalToolkit.ContainerPath} PYTHONUNBUFFERED=1 PORTAL_MODEL_DIR={ModelDir} PORTAL_PORT={Port} \\");
        d.AppendLine(CultureInfo.InvariantCulture, $"    PORTAL_MODEL={Quote(plan.Version.Model.Name)} PORTAL_MODEL_VERSION={Quote(plan.Version.Name)} \\");
        d.AppendLine(CultureInfo.InvariantCulture, $"    {WorkloadMeta.EnvVar}={Quote(meta)}");
        d.AppendLine(CultureInfo.InvariantCulture, $"LABEL io.mlops-portal.package={Quote(plan.Name)} io.mlops-portal.model-version={Quote($"{plan.Version.Model.Name}/{plan.Version.Name}")}");
        d.AppendLine("USER 1000:1000");
        if (plan.Kind == PackageKind.Rest)
        {
            d.AppendLine(CultureInfo.InvariantCulture, $"EXPOSE {Port}");
            d.AppendLine("HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD [\"python3\", \"-c\", "
                + $"\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{Port}/health', timeout=2)\"]");
            d.AppendLine(CultureInfo.InvariantCulture, $"ENTRYPOINT {Exec("python3", "-m", "portal_toolkit.serve", "--entry", plan.Entry, "--code", codeDir, "--model-dir", ModelDir, "--port", $"{Port}")}");
        }
        else
        {
            d.AppendLine(CultureInfo.InvariantCulture, $"ENTRYPOINT {Exec("python3", "-m", "portal_toolkit.batch", "--entry", plan.Entry, "--code", codeDir, "--model-dir", ModelDir)}");
            d.AppendLine("CMD [\"--help\"]");
        }
        return d.ToString();
    }

    /// <summary>A Dockerfile ENV/LABEL value: quoted, with what Docker would expand or end the string on escaped.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static string Exec(params string[] args) => JsonSerializer.Serialize(args);

    private sealed record Copied(int Files, long Bytes, int Links);

    private static async Task<Copied> CopyAsync(string source, string target, CancellationToken ct)
    {
        var (files, bytes, links) = (0, 0L, 0);
        var pending = new Stack<(string From, string To)>([(source, target)]);
        while (pending.Count > 0)
        {
            var (from, to) = pending.Pop();
            Directory.CreateDirectory(to);
            foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
            {
                ct.ThrowIfCancellationRequested();
                if (entry.LinkTarget is not null) { links++; continue; }
                if (entry.Name is ".git" or "__pycache__") continue;
                var destination = Path.Combine(to, entry.Name);
                if (entry is DirectoryInfo) { pending.Push((entry.FullName, destination)); continue; }
                if (entry is not FileInfo file || (file.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) != 0) continue;
                // A named pipe, socket or device reports no size and opening it can block for good: only files with bytes are read.
                if (file.Length == 0)
                {
                    await File.WriteAllBytesAsync(destination, [], ct);
                    files++;
                    continue;
                }
                await using (var input = new FileStream(file.FullName, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous }))
                await using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                    await input.CopyToAsync(output, ct);
                (files, bytes) = (files + 1, bytes + file.Length);
            }
        }
        return new Copied(files, bytes, links);
    }
}
