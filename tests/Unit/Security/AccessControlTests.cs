using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Core.Stores;
using Portal.Tests.Unit.Support;

namespace Portal.Tests.Unit.Security;

/// <summary>Roles, tokens, sign-in and the audit log through the real portal in memory (real SQLite, real cookies and tokens).</summary>
public class AccessControlTests : PortalApiTest
{
    private HttpClient Anonymous() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<JsonElement[]> AuditAsync(string query) =>
        (await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/audit?{query}")).GetProperty("items").EnumerateArray().ToArray();

    [Fact]
    public async Task Anonymous_callers_are_refused_by_the_api_and_sent_to_sign_in_by_pages()
    {
        using var http = Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/api/v1/models", new { name = "m" })).StatusCode);
        // The README's curl lines without a token: the answer says where a token comes from and how to send it.
        foreach (var path in new[] { "/model/iris-api/api/model/invoke", "/feedback/model/iris-api" })
        {
            var refused = await http.PostAsync(path, new StringContent("{}"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
            Assert.Contains("Authorization: Bearer", detail);
            Assert.Contains("/account/tokens", detail);
            Assert.Contains("issue-token", detail);
        }
        var page = await http.GetAsync("/projects");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery);
        var signin = await http.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, signin.StatusCode);
        Assert.Equal("nosniff", signin.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("SAMEORIGIN", signin.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'self'", signin.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("__RequestVerificationToken", await signin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_viewer_reads_but_cannot_change_and_each_refusal_is_audited()
    {
        using var viewer = await App.CreateClientAsync("vera", Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/projects")).StatusCode);
        var refused = await viewer.PostAsJsonAsync("/api/v1/models", new { name = "m" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("viewer", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/credentials")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/models/m")).StatusCode);

        var denied = await AuditAsync("actor=vera&outcome=denied");
        Assert.Contains(denied, e => e.GetProperty("action").GetString() == "POST /api/v1/models");
        Assert.Contains(denied, e => e.GetProperty("action").GetString() == "GET /api/v1/users");
    }

    [Fact]
    public async Task A_data_scientist_works_but_team_leads_andAdmins_keep_their_own_areas()
    {
        using var ds = await App.CreateClientAsync("dana", Roles.DataScientist);
        Assert.Equal(HttpStatusCode.Created, (await ds.PostAsJsonAsync("/api/v1/models", new { name = "m" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ds.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ds.GetAsync("/api/v1/dashboards/team")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ds.PostAsJsonAsync("/api/v1/users", new { name = "x", roles = new[] { "admin" } })).StatusCode);
        using var lead = await App.CreateClientAsync("lena", Roles.TeamLead);
        Assert.Equal(HttpStatusCode.OK, (await lead.GetAsync("/api/v1/audit")).StatusCode);
        var board = await lead.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/dashboards/team");
        Assert.Equal(30, board.GetProperty("trainings_per_day").GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, (await lead.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await lead.GetAsync("/api/v1/settings/export")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await lead.PostAsync("/api/v1/settings/import", new StringContent("router: {enabled: false}"))).StatusCode);

        var created = Assert.Single(await AuditAsync("actor=dana&outcome=succeeded"));
        Assert.Equal("create model", created.GetProperty("action").GetString());
        Assert.Equal("model m", created.GetProperty("target").GetString());
    }

    [Fact]
    public async Task Promotion_to_the_last_environment_needs_a_team_lead()
    {
        using var ds = await App.CreateClientAsync("dana", Roles.DataScientist);
        using var lead = await App.CreateClientAsync("lena", Roles.TeamLead);
        (await ds.PostAsJsonAsync("/api/v1/models", new { name = "m" })).EnsureSuccessStatusCode();
        (await ds.PostAsync("/api/v1/models/m/versions", new MultipartFormDataContent { { new StringContent("w"), "files", "w.txt" } })).EnsureSuccessStatusCode();
        Task<HttpResponseMessage> Promote(HttpClient c, string env) => c.PostAsJsonAsync("/api/v1/models/m/versions/1/promote", new { environment = env, comment = "ok" });
        Assert.Equal(HttpStatusCode.OK, (await Promote(ds, "test")).StatusCode);
        var refused = await Promote(ds, "prod");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("team_lead", await refused.Content.ReadAsStringAsync());
        var promoted = await (await Promote(lead, "prod")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("lena", promoted.GetProperty("promotions")[1].GetProperty("by").GetString());
        Assert.Contains(await AuditAsync("actor=dana&outcome=denied"), e => e.GetProperty("action").GetString()!.Contains("promote a version to 'prod'"));
    }

    [Fact]
    public async Task A_new_user_signs_in_with_the_one_time_password_and_must_choose_a_new_one_first()
    {
        var created = await (await Admin.PostAsJsonAsync("/api/v1/users", new { name = "tom", roles = new[] { "team_lead" } })).Content.ReadFromJsonAsync<JsonElement>();
        var oneTime = created.GetProperty("password").GetString()!;
        Assert.DoesNotContain(oneTime, await Admin.GetStringAsync("/api/v1/users/tom"));

        using var browser = Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await PostFormAsync(browser, "/signin", "signin", new() { ["Input.Username"] = "tom", ["Input.Password"] = "wrong-password-1" })).StatusCode);
        var signedIn = await PostFormAsync(browser, "/signin", "signin", new() { ["Input.Username"] = "tom", ["Input.Password"] = oneTime });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.EndsWith("/account/password", signedIn.Headers.Location!.OriginalString);
        var blocked = await browser.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        Assert.Contains("new password", await blocked.Content.ReadAsStringAsync());
        Assert.EndsWith("/account/password", (await browser.GetAsync("/projects")).Headers.Location!.OriginalString);

        // The rules are stated before anything is typed, and the browser checks the length itself.
        var form = await browser.GetStringAsync("/account/password");
        Assert.Contains("At least 12 characters, at least 5 of them different, without your user name", form);
        Assert.Contains("minlength=\"12\"", form);
        var tooShort = await (await PostFormAsync(browser, "/account/password", "password", new() { ["Input.Current"] = oneTime, ["Input.Next"] = "short", ["Input.Repeat"] = "short" })).Content.ReadAsStringAsync();
        Assert.Contains("at least 12 characters (it has 5)", tooShort);
        Assert.DoesNotContain(oneTime, tooShort);
        var changed = await PostFormAsync(browser, "/account/password", "password",
            new() { ["Input.Current"] = oneTime, ["Input.Next"] = "correct horse battery", ["Input.Repeat"] = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var me = await browser.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("tom", me.GetProperty("name").GetString());
        Assert.Equal(["team_lead"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        var signIns = await AuditAsync("action=sign+in&target=user+tom");
        Assert.Contains(signIns, e => e.GetProperty("outcome").GetString() == "failed");
        Assert.Contains(signIns, e => e.GetProperty("outcome").GetString() == "succeeded");
    }

    [Fact]
    public async Task A_copied_session_cookie_stops_working_after_sign_out_a_password_change_and_disabling()
    {
        var created = await (await Admin.PostAsJsonAsync("/api/v1/users", new { name = "sam", roles = new[] { "data_scientist" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var jar = new CookieContainer();
        using var browser = App.CreateDefaultClient(new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(jar));
        async Task SignInAsync(string password) =>
            Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/signin", "signin",
                new() { ["Input.Username"] = "sam", ["Input.Password"] = password })).StatusCode);
        // What an attacker who read the cookie once (a proxied page, a shared machine, a log) holds.
        string Copy() => jar.GetCookies(App.Server.BaseAddress)["portal.auth"]!.Value;
        async Task<HttpStatusCode> WithAsync(string cookie)
        {
            using var other = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Add("Cookie", $"portal.auth={cookie}");
            return (await other.SendAsync(request)).StatusCode;
        }

        await SignInAsync(created.GetProperty("password").GetString()!);
        const string chosen = "a first long passphrase";
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/account/password", "password", new()
        {
            ["Input.Current"] = created.GetProperty("password").GetString()!, ["Input.Next"] = chosen, ["Input.Repeat"] = chosen,
        })).StatusCode);
        var copied = Copy();
        Assert.Equal(HttpStatusCode.OK, await WithAsync(copied));

        // Signing out ends every copy of the session.
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/account/signout", "signout", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithAsync(copied));

        // A password change ends the other sessions; the browser that made it goes on with a fresh cookie.
        await SignInAsync(chosen);
        copied = Copy();
        Assert.Equal(HttpStatusCode.OK, await WithAsync(copied));
        const string next = "the next long passphrase";
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/account/password", "password",
            new() { ["Input.Current"] = chosen, ["Input.Next"] = next, ["Input.Repeat"] = next })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithAsync(copied));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);

        // A role change or disabling the account ends the browser's own session too.
        copied = Copy();
        (await Admin.PutAsJsonAsync("/api/v1/users/sam", new { roles = new[] { "viewer" }, disabled = false })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, await WithAsync(copied));
        await SignInAsync(next);
        copied = Copy();
        Assert.Equal(HttpStatusCode.OK, await WithAsync(copied));
        (await Admin.PutAsJsonAsync("/api/v1/users/sam", new { roles = new[] { "viewer" }, disabled = true })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, await WithAsync(copied));
    }

    [Fact]
    public async Task Pages_carry_the_strict_content_policy_not_only_the_api()
    {
        using var browser = Anonymous();
        foreach (var path in new[] { "/signin", "/account/signout", "/access-denied", "/api/v1/projects" })
        {
            var response = await browser.GetAsync(path);
            var policy = string.Join(";", response.Headers.TryGetValues("Content-Security-Policy", out var v) ? v : []);
            Assert.True(policy.Contains("script-src 'self'", StringComparison.Ordinal) && policy.Contains("object-src 'none'", StringComparison.Ordinal),
                $"{path} ({(int)response.StatusCode}) has the policy '{policy}'");
        }
    }

    [Fact]
    public async Task Api_changes_made_with_the_cookie_need_the_page_antiforgery_token()
    {
        var jar = new CookieContainer();
        using var browser = App.CreateDefaultClient(new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(jar));
        var created = await (await Admin.PostAsJsonAsync("/api/v1/users", new { name = "carl", roles = new[] { "admin" } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/signin", "signin",
            new() { ["Input.Username"] = "carl", ["Input.Password"] = created.GetProperty("password").GetString()! })).StatusCode);
        const string chosen = "a long admin passphrase";
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/account/password", "password", new()
        {
            ["Input.Current"] = created.GetProperty("password").GetString()!, ["Input.Next"] = chosen, ["Input.Repeat"] = chosen,
        })).StatusCode);

        // What another site (or another port of this host) can make the browser send: the cookie goes along, no header.
        var json = await browser.PostAsJsonAsync("/api/v1/models", new { name = "csrf-model" });
        Assert.Equal(HttpStatusCode.Forbidden, json.StatusCode);
        Assert.Contains("antiforgery", await json.Content.ReadAsStringAsync());
        var plain = await browser.PostAsync("/api/v1/settings/import", new StringContent("router:\n  timeout: 1\n", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("/api/v1/models/csrf-model")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/models")).StatusCode);

        // The portal's own page sends its token in the header.
        var page = await browser.GetStringAsync("/account/password");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]*)\"").Groups[1].Value;
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/v1/models") { Content = JsonContent.Create(new { name = "page-model" }) };
        withToken.Headers.Add("RequestVerificationToken", token);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(withToken)).StatusCode);
        Assert.Contains(await AuditAsync("outcome=denied&actor=carl"), e => e.GetProperty("detail").GetString()!.Contains("antiforgery"));
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused()
    {
        using var browser = Anonymous();
        var response = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin", ["Input.Username"] = "admin", ["Input.Password"] = "whatever-it-is",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Personal_access_tokens_are_stored_hashed_and_refused_once_revoked_or_expired()
    {
        var issued = await App.Services.GetRequiredService<AccessTokenService>().IssueAsync("admin", "script", 30, CancellationToken.None);
        using var http = App.CreateClient();
        http.UseToken(issued.Secret);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/me")).StatusCode);
        var listed = await http.GetStringAsync("/api/v1/me/tokens");
        Assert.Contains("\"script\"", listed);
        Assert.DoesNotContain(issued.Secret, listed);
        // A token cannot mint tokens (a leaked one must not outlive its revocation).
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("/api/v1/me/tokens", new { name = "more" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/v1/me/tokens/{issued.Token.Id}")).StatusCode);
        var refused = await http.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync());

        var old = await App.Services.GetRequiredService<AccessTokenService>().IssueAsync("admin", "old", 1, CancellationToken.None);
        await App.Services.GetRequiredService<IAccessTokenStore>().MutateAsync(old.Token.Id, t => t.ExpiresAt = DateTime.UtcNow.AddMinutes(-1), CancellationToken.None);
        http.UseToken(old.Secret);
        var expired = await http.GetAsync("/api/v1/projects");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
        http.UseToken("pat_" + new string('x', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/projects")).StatusCode);

        Assert.Contains(await AuditAsync("outcome=denied"), e => e.GetProperty("detail").GetString()!.Contains("revoked"));
        Assert.False(DatabaseContains(issued.Secret));
    }

    [Fact]
    public async Task Credential_secrets_are_encrypted_at_rest_and_never_sent_back()
    {
        const string secret = "ghp_SECRET-value-0123456789";
        using var dana = await App.CreateClientAsync("dana", Roles.DataScientist);
        var created = await dana.PostAsJsonAsync("/api/v1/credentials", new { name = "gh", kind = "git", uri = "https://git.example/x.git", details = new { username = "dana" }, secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bodies = new[]
        {
            await created.Content.ReadAsStringAsync(),
            await dana.GetStringAsync("/api/v1/credentials"),
            await dana.GetStringAsync("/api/v1/credentials/gh"),
            await (await dana.PutAsJsonAsync("/api/v1/credentials/gh", new { kind = "git", uri = "https://git.example/y.git" })).Content.ReadAsStringAsync(),
            await Admin.GetStringAsync("/api/v1/credentials"),
            await Admin.GetStringAsync("/api/v1/audit?take=500"),
        };
        foreach (var body in bodies) Assert.DoesNotContain(secret, body);
        var stored = await dana.GetFromJsonAsync<JsonElement>("/api/v1/credentials/gh");
        Assert.True(stored.GetProperty("has_secret").GetBoolean());
        Assert.Equal("https://git.example/y.git", stored.GetProperty("uri").GetString());
        Assert.False(DatabaseContains(secret));

        // The update without a secret kept it; only the portal itself can read it back.
        var vault = App.Services.GetRequiredService<CredentialVault>();
        var (_, revealed) = await vault.RevealAsync(new Actor("dana", [Roles.DataScientist], null), "gh", CancellationToken.None);
        Assert.Equal(secret, revealed);

        using var olga = await App.CreateClientAsync("olga", Roles.DataScientist);
        Assert.Equal(HttpStatusCode.Forbidden, (await olga.GetAsync("/api/v1/credentials/gh")).StatusCode);
        Assert.Equal(0, (await olga.GetFromJsonAsync<JsonElement>("/api/v1/credentials")).GetProperty("total").GetInt32());

        var bad = await dana.PostAsJsonAsync("/api/v1/credentials", new { name = "reg", kind = "docker", details = new { password = "x" } });
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("username", out _) && errors.TryGetProperty("secret", out _) && errors.TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await dana.PostAsJsonAsync("/api/v1/credentials", new { name = "x", kind = "ftp", secret = "s" })).StatusCode);
    }

    [Fact]
    public async Task The_audit_log_refuses_changes_to_its_rows()
    {
        await App.Services.GetRequiredService<AuditLog>().RecordAsync("test", null, Portal.Core.Entities.AuditOutcome.Succeeded, null, CancellationToken.None);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(App.DataDir, "portal.db")}");
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE audit_events SET Actor = 'someone else'", "DELETE FROM audit_events" })
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            var e = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => cmd.ExecuteNonQueryAsync());
            Assert.Contains("append-only", e.Message);
        }
    }

    [Fact]
    public async Task The_firstAdmin_is_made_once_and_the_lastAdmin_cannot_be_removed()
    {
        var users = App.Services.GetRequiredService<UserService>();
        var admin = (await users.FindAsync("admin", CancellationToken.None))!;
        Assert.True(admin.MustChangePassword);
        Assert.Null(await users.EnsureFirstAdminAsync(null, CancellationToken.None));
        var refused = await Admin.PutAsJsonAsync("/api/v1/users/admin", new { roles = new[] { "viewer" } });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("only enabled admin", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.DeleteAsync("/api/v1/users/admin")).StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_a_local_account_for_a_while()
    {
        var users = App.Services.GetRequiredService<UserService>();
        var (_, password) = await users.CreateLocalAsync("lou", null, null, [Roles.Viewer], CancellationToken.None);
        for (var i = 0; i < UserService.MaxFailedSignIns; i++)
            Assert.Null((await users.SignInLocalAsync("lou", "not-the-password", CancellationToken.None)).User);
        var locked = await users.SignInLocalAsync("lou", password, CancellationToken.None);
        Assert.Null(locked.User);
        Assert.Contains("locked for 5 minutes", locked.Error);

        // The form's answer does not tell which accounts exist: a name nobody has gets the very same sentences.
        for (var i = 0; i < UserService.MaxFailedSignIns; i++)
            Assert.Equal(locked.Error, (await users.SignInLocalAsync("nobody-here", "not-the-password", CancellationToken.None)).Error);
        Assert.Equal(locked.Error, (await users.SignInLocalAsync("nobody-here", password, CancellationToken.None)).Error);
        Assert.Equal(locked.Error, (await users.SignInLocalAsync("lou", "not-the-password", CancellationToken.None)).Error);
    }

    /// <summary>Posts a server-rendered form the way a browser does: its hidden fields (handler, antiforgery token) first.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, string handler, Dictionary<string, string> fields)
    {
        var form = await http.GetStringAsync(path);
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]*)\"").Groups[1].Value;
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = token;
        return await http.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>Whether the text appears anywhere in the database files (the main file and its write-ahead log).</summary>
    private bool DatabaseContains(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Directory.GetFiles(App.DataDir, "portal.db*").Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>Hub streams ask every few seconds whether their token still holds; the answer is cached, but not past a revoke.</summary>
    [Fact]
    public async Task The_repeated_token_check_refuses_a_revoked_token_at_once()
    {
        await using var portal = await RealPortalHost.StartAsync();
        var tokens = portal.Services.GetRequiredService<AccessTokenService>();
        var secret = await TestIdentities.TokenAsync(portal.Services, "tom", Roles.DataScientist);
        Assert.True(await tokens.StillValidAsync(secret, CancellationToken.None));
        Assert.True(await tokens.StillValidAsync(secret, CancellationToken.None));
        var issued = Assert.Single(await tokens.ListAsync("tom", CancellationToken.None));
        await tokens.RevokeAsync("tom", issued.Id, CancellationToken.None);
        Assert.False(await tokens.StillValidAsync(secret, CancellationToken.None));
        Assert.False(await tokens.StillValidAsync("pat_made-up", CancellationToken.None));
    }
}
