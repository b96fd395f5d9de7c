using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Portal.Web.Hosting;

/// <summary>
/// Makes <c>/swagger/v1/swagger.json</c> fit for client generators: plain, unique schema names (<c>Deployment</c>,
/// <c>DatasetPage</c>), an operationId for every route from its method and path (<c>getDeploymentsByName</c>), and the
/// problem responses each route can give documented.
/// </summary>
public static class OpenApiConventions
{
    private static readonly Assembly Web = typeof(OpenApiConventions).Assembly;

    /// <summary>The short names of the API's own types, and those more than one of them would take (those get their owner's name in front).</summary>
    private static readonly Lazy<(HashSet<string> All, HashSet<string> Shared)> WebNames = new(() =>
    {
        var names = Web.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic).GroupBy(Short).ToList();
        return (names.Select(g => g.Key).ToHashSet(StringComparer.Ordinal), names.Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal));
    });

    public static void Apply(SwaggerGenOptions o)
    {
        o.CustomSchemaIds(SchemaId);
        o.CustomOperationIds(OperationId);
        o.OperationFilter<ProblemResponses>();
    }

    /// <summary><c>PageDto&lt;DatasetDto&gt;</c> is <c>DatasetPage</c>; <c>DeploymentsApi.CreateDto</c> is <c>DeploymentsCreate</c> (Create is taken twice).</summary>
    public static string SchemaId(Type type)
    {
        if (type.IsGenericType) return string.Concat(type.GetGenericArguments().Select(SchemaId)) + Short(type);
        var name = Short(type);
        var (all, shared) = WebNames.Value;
        // The API's types keep the plain name; another type of ours that would take one of theirs says where it is from.
        var prefixed = type.Assembly == Web ? shared.Contains(name) : all.Contains(name) && type.Namespace?.StartsWith("Portal.", StringComparison.Ordinal) == true;
        if (!prefixed) return name;
        var owner = type.DeclaringType is { } declaring ? declaring.Name : type.Namespace?.Split('.')[^1] ?? "";
        return (owner.EndsWith("Api", StringComparison.Ordinal) ? owner[..^3] : owner) + name;
    }

    /// <summary>The method and the path's words, a parameter as By{Name}: <c>GET /api/v1/deployments/{name}/requests</c> is <c>getDeploymentsByNameRequests</c>.</summary>
    public static string OperationId(ApiDescription api)
    {
        var words = (api.RelativePath ?? "").Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not ("api" or "v1"))
            .Select(w => w.StartsWith('{') ? "By" + Pascal(w.Trim('{', '}').TrimStart('*').Split(':')[0]) : Pascal(w));
        return (api.HttpMethod ?? "get").ToLowerInvariant() + string.Concat(words);
    }

    private static string Short(Type type)
    {
        var name = type.Name;
        if (name.IndexOf('`') is var tick and > 0) name = name[..tick];
        return name.Length > 3 && name.EndsWith("Dto", StringComparison.Ordinal) ? name[..^3] : name;
    }

    private static string Pascal(string word) =>
        string.Concat(word.Split(['-', '_', '.'], StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>
    /// Every route's problem answers (application/problem+json): 401 (a user's or a task's token is missing or wrong), 403
    /// unless it is open to any token holder, 404 when its path names something, 400 when it takes input. What a route
    /// documents itself is kept.
    /// </summary>
    private sealed class ProblemResponses : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var api = context.ApiDescription;
            var metadata = api.ActionDescriptor.EndpointMetadata;
            var open = metadata.OfType<IAllowAnonymous>().Any();
            var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
            operation.Responses ??= new OpenApiResponses();
            void Add(int status, string description)
            {
                var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (operation.Responses.ContainsKey(key)) return;
                operation.Responses[key] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
                };
            }
            if (api.ParameterDescriptions.Any(p => p.Source != BindingSource.Path && p.Source != BindingSource.Services) || api.HttpMethod is "POST" or "PUT")
                Add(400, "The input is wrong: the problem's errors say, by field, what to fix.");
            Add(401, open ? "The task token is missing, unknown, or its training has ended." : "Not signed in: send a personal access token as a bearer token, or sign in.");
            if (!open) Add(403, "Signed in, but the role or ownership does not allow this.");
            if (api.ParameterDescriptions.Any(p => p.Source == BindingSource.Path))
                Add(404, "What the path names does not exist.");
        }
    }
}
