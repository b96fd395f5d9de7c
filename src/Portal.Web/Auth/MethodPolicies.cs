using Microsoft.AspNetCore.Authorization;

namespace Portal.Web.Auth;

/// <summary>
/// Odahu's default rule for endpoints that name no policy of their own: reading (GET, HEAD) needs a viewer,
/// anything else a data scientist. Runs last, so an endpoint's own policy or AllowAnonymous wins.
/// </summary>
public static class MethodPolicies
{
    public static TBuilder RequirePolicyByMethod<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(b =>
        {
            if (b.Metadata.Any(m => m is IAuthorizeData or IAllowAnonymous)) return;
            var methods = b.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            var reads = methods.Count > 0 && methods.All(m => m is "GET" or "HEAD");
            b.Metadata.Add(new AuthorizeAttribute(reads ? PortalPolicies.Read : PortalPolicies.Work));
        });
        return builder;
    }
}
