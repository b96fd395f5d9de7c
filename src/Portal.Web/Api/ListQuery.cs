using Portal.Core.Stores;

namespace Portal.Web.Api;

/// <summary>Query string of list endpoints: <c>?search=&amp;sort=name&amp;desc=false&amp;skip=0&amp;take=25</c>.</summary>
public sealed record ListQuery(string? Search, string? Sort, bool? Desc, int? Skip, int? Take)
{
    public PageRequest ToPageRequest() => new(Skip ?? 0, Take ?? 25, Search, Sort, Desc ?? false);
}
