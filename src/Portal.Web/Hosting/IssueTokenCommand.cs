using Portal.Core.Errors;
using Portal.Core.Security;

namespace Portal.Web.Hosting;

/// <summary>
/// <c>Portal.Web issue-token USER [NAME] [DAYS]</c>: prints a personal access token for an existing user, from the
/// machine the portal runs on (its data directory), for scripts and break-glass access. Audited like any other change.
/// </summary>
public static class IssueTokenCommand
{
    public const string Verb = "issue-token";

    public static async Task<int> RunAsync(WebApplication app, string[] args, CancellationToken ct)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine($"usage: Portal.Web {Verb} USER [NAME] [DAYS]");
            return 2;
        }
        var (user, name) = (args[1], args.Length > 2 ? args[2] : "issued on the portal's host");
        int? days = args.Length > 3 && int.TryParse(args[3], out var d) ? d : null;
        try
        {
            using (ActorContext.Use(new Actor($"{Verb} (host)", [Roles.Admin], "localhost")))
            {
                var issued = await app.Services.GetRequiredService<AccessTokenService>().IssueAsync(user, name, days, ct);
                Console.WriteLine(issued.Secret);
            }
            return 0;
        }
        catch (PortalException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }
}
