using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Activities and tasks under the permission matrix and record scopes: a rep sees what they and their team logged or
/// were given, not another rep's; readers read and cannot write; only managers and admins delete history.
/// </summary>
public sealed class ActivityScopeTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<HttpClient> SalesAsync(Guid user, string role) =>
        Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(user.ToString(), TenantContext.DefaultTenantId, role));

    private static object Call(string subject, Guid contactId) =>
        new { kind = "call", subject, occurredAt = DateTime.UtcNow, durationMinutes = 10, contactId };

    [Fact]
    public async Task Reps_see_their_teams_activities_and_tasks_not_others_readers_cannot_write_reps_cannot_delete()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var rep = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var teammate = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var reader = await IdentityApi.NewUserAsync(admin, Roles.ReadOnly);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/v1/teams", new { name = "Gamma", memberIds = new[] { rep.Id, teammate.Id, manager.Id } })).Status);

        var person = await Platform.ClientFor(Platform.Contacts).PostJsonAsync("/api/v1/people", Api.NewPerson()).CreatedAsync();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, person.Id()) is not null, "Sales knows the person");
        var repSales = await SalesAsync(rep.Id, Roles.SalesRep);
        var activity = await repSales.PostJsonAsync("/api/v1/activities", Call("Scoped call", person.Id())).CreatedAsync();
        var task = await repSales.PostJsonAsync("/api/v1/tasks", new { subject = "Scoped task", dueAt = DateTime.UtcNow.AddDays(2), priority = "high", contactId = person.Id() }).CreatedAsync();
        var urls = new[] { $"/api/v1/activities/{activity.Id()}", $"/api/v1/tasks/{task.Id()}" };

        var teammateSales = await SalesAsync(teammate.Id, Roles.SalesRep);
        foreach (var url in urls)
        {
            await Eventually.TrueAsync(async () => (await teammateSales.GetJsonAsync(url)).Status == HttpStatusCode.OK, $"the teammate sees {url}");
        }

        var outsiderSales = await SalesAsync(outsider.Id, Roles.SalesRep);
        foreach (var url in urls)
        {
            (await outsiderSales.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        }
        Assert.DoesNotContain((await outsiderSales.GetJsonAsync("/api/v1/activities?limit=200")).Items(), a => a.Id() == activity.Id());
        Assert.DoesNotContain((await outsiderSales.GetJsonAsync("/api/v1/tasks?limit=200")).Items(), t => t.Id() == task.Id());

        var readerSales = await SalesAsync(reader.Id, Roles.ReadOnly);
        Assert.Equal(HttpStatusCode.OK, (await readerSales.GetJsonAsync(urls[0])).Status);
        (await readerSales.PostJsonAsync("/api/v1/activities", Call("Not mine to log", person.Id()))).AssertProblem(HttpStatusCode.Forbidden);
        (await readerSales.PostJsonAsync("/api/v1/tasks", new { subject = "Nope", dueAt = DateTime.UtcNow.AddDays(1), contactId = person.Id() })).AssertProblem(HttpStatusCode.Forbidden);

        foreach (var url in urls)
        {
            (await repSales.DeleteJsonAsync(url, Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        }
        var managerSales = await SalesAsync(manager.Id, Roles.SalesManager);
        foreach (var url in urls)
        {
            await Eventually.TrueAsync(async () => (await managerSales.GetJsonAsync(url)).Status == HttpStatusCode.OK, $"the manager sees {url}");
            Assert.Equal(HttpStatusCode.NoContent, (await managerSales.DeleteJsonAsync(url, Api.AnyVersion)).Status);
        }
    }
}
