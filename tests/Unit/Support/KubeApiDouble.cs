using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Unit.Support;

/// <summary>
/// A protocol double of the Kubernetes API server (no real one can run here): the subset the portal uses, on loopback
/// Kestrel. Objects live in memory by collection path; create (409 when it exists), get (404), list with equality label
/// selectors, merge-patch, delete, chunked watch streams from a resourceVersion (410 Gone once compacted past it), pod
/// log follow, /version, bearer-token checks (401) and refusals the test configures (403), all answered with Status
/// objects as the real server does. The test plays the controllers: it sets pod phases and writes pod logs.
/// </summary>
public sealed class KubeApiDouble : IAsyncDisposable
{
    public const string Token = "double-token";
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _collections = [];
    private readonly List<(long Version, string Collection, string Type, JsonObject Object)> _history = [];
    private readonly List<(string Collection, Channel<string> Channel)> _watchers = [];
    private readonly Dictionary<string, (List<string> Lines, Channel<string>? Follower)> _logs = [];
    private long _version = 100;
    private long _compactedBefore;

    public HashSet<string> Forbidden { get; } = [];

    /// <summary>
    /// While set, the server answers every request with 503 and has closed its watches, as an API server that is
    /// restarting or has lost etcd does.
    /// </summary>
    public bool Unavailable
    {
        get => _unavailable;
        set
        {
            _unavailable = value;
            if (value) CloseWatches();
        }
    }
    private volatile bool _unavailable;
    private readonly List<string> _requests = [];

    /// <summary>Every request so far, as "METHOD path?query".</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }
    public string Server { get; }

    private KubeApiDouble(WebApplication app)
    {
        _app = app;
        Server = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public static async Task<KubeApiDouble> StartAsync(Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        configure?.Invoke(builder);
        var app = builder.Build();
        KubeApiDouble? self = null;
        app.Run(context => self!.HandleAsync(context));
        await app.StartAsync();
        self = new KubeApiDouble(app);
        return self;
    }

    /// <summary>A kubeconfig pointing at this double with its token, in a temp file.</summary>
    public string Kubeconfig(string directory, string ns = "ml") => WriteKubeconfig(directory, Server, $"token: {Token}", ns);

    public static string WriteKubeconfig(string directory, string server, string userBody, string ns)
    {
        var path = Path.Combine(directory, $"kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: double
            clusters:
            - name: double
              cluster: {"{"}server: "{server}"{"}"}
            users:
            - name: portal
              user: {"{"}{userBody}{"}"}
            contexts:
            - name: double
              context: {"{"}cluster: double, user: portal, namespace: {ns}{"}"}
            """);
        return path;
    }

    public JsonObject? Get(string collection, string name)
    {
        lock (_gate) return _collections.GetValueOrDefault(collection)?.GetValueOrDefault(name)?.DeepClone() as JsonObject;
    }

    public IReadOnlyList<JsonObject> All(string collection)
    {
        lock (_gate) return _collections.TryGetValue(collection, out var items) ? [.. items.Values.Select(o => (JsonObject)o.DeepClone())] : [];
    }

    /// <summary>Puts or replaces an object as a controller would (a pod the Job made, a status change), telling watchers.</summary>
    public void Put(string collection, JsonObject obj)
    {
        lock (_gate)
        {
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            var items = Collection(collection);
            var type = items.ContainsKey(name) ? "MODIFIED" : "ADDED";
            Stamp(obj);
            items[name] = obj;
            Record(collection, type, obj);
        }
    }

    /// <summary>Makes the pod a controller would make for a workload (a Job's or a Deployment's), from its template.</summary>
    public JsonObject MakePod(string ns, string workload, string pod, string ownerKind = "Job")
    {
        var template = ownerKind switch
        {
            "Job" => Get($"apis/batch/v1/namespaces/{ns}/jobs", workload)!["spec"]!["template"]!,
            _ => Get($"apis/apps/v1/namespaces/{ns}/deployments", workload)!["spec"]!["template"]!,
        };
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = pod, ["labels"] = template["metadata"]!["labels"]!.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject { ["kind"] = ownerKind, ["name"] = workload }),
            },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        };
        Put($"api/v1/namespaces/{ns}/pods", obj);
        return obj;
    }

    /// <summary>Sets a pod's phase (Pending, Running, Succeeded, Failed) and, when it ends, its container's exit code.</summary>
    public void SetPodPhase(string ns, string pod, string phase, int? exitCode = null, string? reason = null)
    {
        var collection = $"api/v1/namespaces/{ns}/pods";
        var obj = Get(collection, pod) ?? throw new InvalidOperationException($"no pod {pod}");
        obj["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "main",
                ["state"] = exitCode is { } code
                    ? new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = reason ?? (code == 0 ? "Completed" : "Error") } }
                    : phase == "Running" ? new JsonObject { ["running"] = new JsonObject() } : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason ?? "ContainerCreating" } },
            }),
        };
        Put(collection, obj);
        if (phase is "Succeeded" or "Failed") EndLog(pod);
    }

    public void WriteLog(string pod, params string[] lines)
    {
        lock (_gate)
        {
            var log = _logs.TryGetValue(pod, out var l) ? l : _logs[pod] = ([], null);
            foreach (var line in lines)
            {
                log.Lines.Add(line);
                log.Follower?.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>Forgets history before now, as etcd compaction does: watches from older versions get 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedBefore = _version + 1;
            _history.Clear();
        }
    }

    /// <summary>Closes every open watch, as the server does when its watch timeout passes.</summary>
    public void CloseWatches()
    {
        lock (_gate)
        {
            foreach (var (_, channel) in _watchers) channel.Writer.TryComplete();
            _watchers.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        CloseWatches();
        lock (_gate) foreach (var log in _logs.Values) log.Follower?.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void EndLog(string pod)
    {
        lock (_gate) if (_logs.TryGetValue(pod, out var log)) log.Follower?.Writer.TryComplete();
    }

    private Dictionary<string, JsonObject> Collection(string path) =>
        _collections.TryGetValue(path, out var c) ? c : _collections[path] = [];

    private void Stamp(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        meta["resourceVersion"] = (++_version).ToString();
        meta["uid"] ??= Guid.NewGuid().ToString();
        meta["creationTimestamp"] ??= DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
    }

    private void Record(string collection, string type, JsonObject obj)
    {
        _history.Add((_version, collection, type, (JsonObject)obj.DeepClone()));
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
        foreach (var (c, channel) in _watchers.Where(w => w.Collection == collection)) channel.Writer.TryWrite(line);
    }

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = reason, ["code"] = code,
    };

    private static Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static bool Matches(JsonObject obj, string? selector)
    {
        if (string.IsNullOrEmpty(selector)) return true;
        var labels = obj["metadata"]?["labels"] as JsonObject;
        return selector.Split(',').All(term =>
        {
            var kv = term.Split('=', 2);
            return labels?[kv[0]]?.GetValue<string>() == kv[1];
        });
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null) target.Remove(key);
            else if (value is JsonObject p && target[key] is JsonObject t) Merge(t, p);
            else target[key] = value.DeepClone();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value!.Trim('/');
        lock (_gate) _requests.Add($"{request.Method} {path}{request.QueryString}");
        if (Unavailable)
        {
            await WriteAsync(context, 503, Status(503, "ServiceUnavailable", "the API server is shutting down (fault injected by the test)"));
            return;
        }
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}" && context.Connection.ClientCertificate is null)
        {
            await WriteAsync(context, 401, Status(401, "Unauthorized", "Unauthorized"));
            return;
        }
        if (path == "version")
        {
            await WriteAsync(context, 200, new JsonObject { ["major"] = "1", ["minor"] = "31", ["gitVersion"] = "v1.31.0-double", ["platform"] = "linux/amd64" });
            return;
        }
        // namespaces/{ns}/{resource}[/{name}[/log]]
        var parts = path.Split('/');
        var at = Array.IndexOf(parts, "namespaces");
        if (at < 0 || parts.Length < at + 3)
        {
            await WriteAsync(context, 404, Status(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        var resource = parts[at + 2];
        var collection = string.Join('/', parts[..(at + 3)]);
        var name = parts.Length > at + 3 ? parts[at + 3] : null;
        var sub = parts.Length > at + 4 ? parts[at + 4] : null;
        var verb = request.Method switch { "POST" => "create", "DELETE" => "delete", "PATCH" => "patch", _ => name is null ? (request.Query["watch"] == "true" ? "watch" : "list") : "get" };
        if (Forbidden.Contains($"{verb} {resource}"))
        {
            await WriteAsync(context, 403, Status(403, "Forbidden",
                $"{resource} is forbidden: User \"system:serviceaccount:portal:portal\" cannot {verb} resource \"{resource}\" in the namespace \"{parts[at + 1]}\""));
            return;
        }

        if (sub == "log") { await LogAsync(context, name!); return; }
        switch (request.Method)
        {
            case "POST":
            {
                var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
                var newName = body["metadata"]?["name"]?.GetValue<string>();
                if (string.IsNullOrEmpty(newName))
                {
                    var invalid = Status(422, "Invalid", $"{resource} \"\" is invalid: metadata.name: Required value: name or generateName is required");
                    invalid["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["field"] = "metadata.name", ["message"] = "Required value" }) };
                    await WriteAsync(context, 422, invalid);
                    return;
                }
                lock (_gate)
                {
                    if (Collection(collection).ContainsKey(newName)) { }
                    else
                    {
                        Stamp(body);
                        Collection(collection)[newName] = body;
                        Record(collection, "ADDED", body);
                        newName = null;
                    }
                }
                if (newName is not null) await WriteAsync(context, 409, Status(409, "AlreadyExists", $"{resource} \"{newName}\" already exists"));
                else await WriteAsync(context, 201, body);
                return;
            }
            case "GET" when name is not null:
            {
                var found = Get(collection, name);
                await (found is null ? WriteAsync(context, 404, Status(404, "NotFound", $"{resource} \"{name}\" not found")) : WriteAsync(context, 200, found));
                return;
            }
            case "GET" when request.Query["watch"] == "true":
                await WatchAsync(context, collection, request.Query["labelSelector"], request.Query["resourceVersion"]);
                return;
            case "GET":
            {
                JsonObject list;
                lock (_gate)
                    list = new JsonObject
                    {
                        ["kind"] = "List", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString() },
                        ["items"] = new JsonArray([.. Collection(collection).Values.Where(o => Matches(o, request.Query["labelSelector"])).Select(o => o.DeepClone())]),
                    };
                await WriteAsync(context, 200, list);
                return;
            }
            case "PATCH":
            {
                var patch = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
                JsonObject? patched = null;
                lock (_gate)
                {
                    if (Collection(collection).TryGetValue(name!, out var existing))
                    {
                        Merge(existing, patch);
                        Stamp(existing);
                        Record(collection, "MODIFIED", existing);
                        patched = (JsonObject)existing.DeepClone();
                    }
                }
                await (patched is null ? WriteAsync(context, 404, Status(404, "NotFound", $"{resource} \"{name}\" not found")) : WriteAsync(context, 200, patched));
                return;
            }
            case "DELETE":
            {
                JsonObject? removed = null;
                lock (_gate)
                {
                    if (Collection(collection).Remove(name!, out var existing))
                    {
                        Stamp(existing);
                        Record(collection, "DELETED", existing);
                        removed = existing;
                    }
                }
                // As the real server: pods, services and claims answer with the deleted object, other kinds with a Status.
                await (removed is null ? WriteAsync(context, 404, Status(404, "NotFound", $"{resource} \"{name}\" not found"))
                    : resource is "pods" or "services" or "persistentvolumeclaims" ? WriteAsync(context, 200, removed)
                    : WriteAsync(context, 200, new JsonObject
                    {
                        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success",
                        ["details"] = new JsonObject { ["name"] = name, ["kind"] = resource },
                    }));
                return;
            }
        }
        await WriteAsync(context, 405, Status(405, "MethodNotAllowed", "method not allowed"));
    }

    private async Task WatchAsync(HttpContext context, string collection, string? selector, string? resourceVersion)
    {
        var channel = Channel.CreateUnbounded<string>();
        var from = long.TryParse(resourceVersion, out var v) ? v : 0;
        lock (_gate)
        {
            if (from > 0 && from < _compactedBefore)
                channel.Writer.TryWrite(new JsonObject { ["type"] = "ERROR", ["object"] = Status(410, "Expired", $"too old resource version: {from} ({_compactedBefore})") }.ToJsonString());
            else
            {
                foreach (var (version, c, type, obj) in _history.Where(h => h.Collection == collection && h.Version > from))
                    channel.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString());
                _watchers.Add((collection, channel));
            }
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                var e = (JsonObject)JsonNode.Parse(line)!;
                if (e["type"]!.GetValue<string>() != "ERROR" && !Matches((JsonObject)e["object"]!, selector)) continue;
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (e["type"]!.GetValue<string>() == "ERROR") break;
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            lock (_gate) _watchers.RemoveAll(w => w.Channel == channel);
        }
    }

    private async Task LogAsync(HttpContext context, string pod)
    {
        var follow = context.Request.Query["follow"] == "true";
        Channel<string>? follower = null;
        string[] sofar;
        lock (_gate)
        {
            var log = _logs.TryGetValue(pod, out var l) ? l : _logs[pod] = ([], null);
            sofar = [.. log.Lines];
            if (follow)
            {
                follower = Channel.CreateUnbounded<string>();
                _logs[pod] = (log.Lines, follower);
            }
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        foreach (var line in sofar) await context.Response.WriteAsync(line + "\n", Encoding.UTF8);
        await context.Response.Body.FlushAsync();
        if (follower is null) return;
        try
        {
            await foreach (var line in follower.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", Encoding.UTF8, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) { }
    }
}
