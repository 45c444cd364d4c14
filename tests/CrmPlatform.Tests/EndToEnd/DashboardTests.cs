using System.Net;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// Aspire's own dashboard of the shared platform, used in Debian's chromium as a developer uses it: logging in with the
/// link the app host printed, reading resources, traces and logs, running the broker's command, following the mail
/// sink's link. What each test sees is saved to <c>artifacts/screenshots/dashboard-*.png</c>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardTests(PlatformFixture platform, DashboardTests.Browser chromium, ITestOutputHelper output)
    : IClassFixture<DashboardTests.Browser>, IAsyncLifetime
{
    /// <summary>Live pages: telemetry and states arrive when the services export them, not when the test asks.</summary>
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    private IBrowserContext _context = null!;

    private PlatformHost Host => platform.Host;

    public async Task InitializeAsync() =>
        // Tall enough that a whole trace (40-odd spans) fits on one screen: the dashboard's grids scroll inside the page.
        _context = await chromium.Instance.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1800 } });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Without_the_printed_link_the_dashboard_asks_for_its_token_and_the_link_logs_the_browser_in()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(DashboardUrl("/traces"));
        await Expect(page).ToHaveURLAsync(new Regex(@"/login\?returnUrl=%2Ftraces$"));
        await Expect(page).ToHaveTitleAsync("CrmPlatform login");
        // The page shows before it works (rendered on the server first, then made interactive): once it is, it names
        // the app and puts the cursor in the token box. What is typed before is lost ("Token is required").
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "CrmPlatform dashboard" })).ToBeVisibleAsync();
        await Expect(TokenField(page)).ToBeFocusedAsync();
        await TokenField(page).FillAsync("not-the-token");
        await page.GetByText("Log in", new() { Exact = true }).ClickAsync();
        await Expect(page.GetByText("Invalid token. Please try again")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/login\?returnUrl=%2Ftraces$"));
        await ScreenshotAsync(page, "login");

        // The token is the link's t parameter: typed in, it opens the page first asked for ...
        var token = Regex.Match(Host.LoginLink, "[?&]t=([^&]+)").Groups[1].Value;
        await TokenField(page).FillAsync(token);
        await page.GetByText("Log in", new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(DashboardUrl("/traces"));
        await Expect(page).ToHaveTitleAsync("CrmPlatform traces");

        // ... and the link itself logs a new browser straight in, onto the resources.
        await using var other = await chromium.Instance.NewContextAsync();
        var linked = await other.NewPageAsync();
        await linked.GotoAsync(Host.LoginLink);
        await Expect(linked).ToHaveURLAsync(DashboardUrl("/"));
        await Expect(linked).ToHaveTitleAsync("CrmPlatform resources");
        await Expect(ResourceRow(linked, "gateway")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_resources_page_shows_every_resource_running_and_healthy_and_the_mail_resource_links_its_inbox()
    {
        var page = await LoggedInPageAsync();
        Assert.Equal(17, Host.ResourceNames.Count);
        await Expect(page.GetByText($"Showing {Host.ResourceNames.Count} resources")).ToBeVisibleAsync();
        foreach (var name in Host.ResourceNames)
        {
            // The state column reads "Running (Unhealthy)" until a running resource's health checks pass.
            await Expect(ResourceRow(page, name).GetByRole(AriaRole.Gridcell, new() { Name = "Running", Exact = true }))
                .ToBeVisibleAsync(new() { Timeout = (float)Arrival.TotalMilliseconds });
        }
        await ScreenshotAsync(page, "resources");

        var inbox = await page.Context.RunAndWaitForPageAsync(
            () => ResourceRow(page, "mail").GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync());
        await Expect(inbox).ToHaveTitleAsync("Mail · CRM");
        await Expect(inbox.GetByTestId("mail-list")).ToBeVisibleAsync();
        Assert.Equal(Host.Snapshot("mail").Urls.Single(u => u.DisplayProperties.DisplayName == "Inbox").Url.TrimEnd('/'), inbox.Url.TrimEnd('/'));
        await ScreenshotAsync(inbox, "mail-inbox");
    }

    [Fact]
    public async Task A_person_created_through_the_gateway_is_one_trace_from_the_gateway_through_rabbitmq_to_sales()
    {
        var gateway = await Host.GatewayClientAsync();
        var created = await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson());
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var traceId = created.Response.Headers.GetValues("X-Trace-Id").Single();

        var page = await LoggedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Traces", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(DashboardUrl("/traces"));
        var trace = page.GetByRole(AriaRole.Gridcell, new() { Name = $"Trace Id: {traceId}" });
        await ReloadingIfTheDashboardFailsAsync(page, async () =>
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traces", Level = 1 })).ToBeVisibleAsync();
            // Every request is a trace (the other tests' polls too): narrow the list to the creations of people.
            await FilterAsync(page, "POST /api/v1/people", () =>
                Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasNotText = "POST /api/v1/people" })).ToHaveCountAsync(1, new() { Timeout = 10_000 }));
            await Expect(trace).ToContainTextAsync(traceId[..7], new() { Timeout = (float)Arrival.TotalMilliseconds });
        });
        await Expect(trace).ToContainTextAsync("gateway: POST /api/v1/people/");
        await trace.ClickAsync();

        await Expect(page).ToHaveURLAsync(DashboardUrl($"/traces/detail/{traceId}"));
        // Each service exports on its own schedule: the page fills in as Sales' spans arrive.
        await ReloadingIfTheDashboardFailsAsync(page, () =>
            Expect(Span(page, "sales: sales-contact-directory receive")).ToBeVisibleAsync(new() { Timeout = (float)Arrival.TotalMilliseconds }));
        foreach (var span in new[]
        {
            "gateway: POST /api/v1/people/{**rest}", "gateway: HTTP POST 201", "contacts: POST /api/v1/people/",
            "contacts: outbox publish PersonCreated", "contacts: MSG rabbitmq send CrmPlatform.Contracts.Contacts.V1:PersonCreated",
            "sales: sales-contact-directory process",
        })
        {
            await Expect(Span(page, span)).ToBeVisibleAsync();
        }
        await Expect(page.GetByRole(AriaRole.Gridcell, new() { Name = "contacts: postgresql\nOutgoing call to contactsdb" }).First).ToBeVisibleAsync();

        // From Sales' consumer up to the gateway's request, one parent at a time, as the span details link them.
        await Span(page, "sales: sales-contact-directory receive").ClickAsync();
        await Expect(SpanDetailsTitle(page, "sales: sales-contact-directory receive")).ToBeVisibleAsync();
        await Expect(DetailsRow(page, "Kind")).ToContainTextAsync("Consumer");
        await ScreenshotAsync(page, "trace");
        foreach (var (parent, kind) in new[]
        {
            ("contacts: MSG rabbitmq send CrmPlatform.Contracts.Contacts.V1:PersonCreated", "Producer"),
            ("contacts: outbox publish PersonCreated", "Internal"),
            ("contacts: POST /api/v1/people/", "Server"),
            ("gateway: HTTP POST 201", "Client"),
            ("gateway: POST /api/v1/people/{**rest}", "Server"),
        })
        {
            await DetailsRow(page, "ParentId").GetByText(new Regex("[0-9a-f]{16}")).ClickAsync();
            await Expect(SpanDetailsTitle(page, parent)).ToBeVisibleAsync();
            await Expect(DetailsRow(page, "Kind")).ToContainTextAsync(kind);
            if (kind == "Producer")
            {
                await Expect(DetailsRow(page, "messaging.system")).ToContainTextAsync("rabbitmq");
            }
        }
        await Expect(DetailsRow(page, "ParentId")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_services_structured_logs_show_what_it_logged_as_it_started()
    {
        var page = await LoggedInPageAsync();
        await ChooseActionAsync(page, "identity", "Structured logs", () =>
            Expect(page).ToHaveURLAsync(DashboardUrl("/structuredlogs/resource/identity"), new() { Timeout = 20_000 }));
        var log = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bootstrap admin client crm-admin is ready" });
        await ReloadingIfTheDashboardFailsAsync(page, async () =>
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Structured logs", Level = 1 })).ToBeVisibleAsync();
            await FilterAsync(page, "Bootstrap admin", () =>
                Expect(page.GetByText("Showing 1 structured log", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 }));
            await Expect(log).ToHaveCountAsync(1);
        });
        await Expect(log.GetByRole(AriaRole.Gridcell, new() { Name = "identity", Exact = true })).ToBeVisibleAsync();
        await Expect(log).ToContainTextAsync("Information");
        await ScreenshotAsync(page, "structured-logs");
    }

    [Fact]
    public async Task A_message_that_failed_every_retry_is_replayed_from_the_brokers_actions_menu_and_reaches_sales()
    {
        var gateway = await Host.GatewayClientAsync();
        Guid person;
        try
        {
            var stop = await Host.StopAsync("sales");
            if (!stop.Success)
            {
                output.WriteLine($"Stopping sales reported: {stop.Message}");
            }
            person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
            // As if Sales had failed it on every retry: MassTransit's error queue for the consumer.
            await Host.MoveMessagesAsync("sales-contact-directory", "sales-contact-directory_error", expected: 1);
        }
        finally
        {
            // Whatever happened, the other tests find Sales running, and the gateway (whose health includes Sales') healthy.
            if (Host.Snapshot("sales").State?.Text != KnownResourceStates.Running)
            {
                await Host.CommandAsync("sales", KnownResourceCommands.StartCommand);
            }
            using var ready = new CancellationTokenSource(PlatformHost.StartTimeout);
            await Host.WaitUntilAllHealthyAsync(ready.Token);
        }
        var opportunity = new { name = "Replayed from the dashboard", amount = 1, currency = "EUR", customerId = person };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await gateway.PostJsonAsync("/api/v1/opportunities", opportunity)).Status);

        var page = await LoggedInPageAsync();
        // The command's arguments, asked for in Aspire's interaction dialog.
        var dialog = page.Locator("#interactions-input-dialog");
        try
        {
            // The dashboard says at once that the command is starting; the app host's dialog follows.
            var starting = page.GetByRole(AriaRole.Listitem, new() { Name = "messaging \"Replay error queues\" starting" });
            await ChooseActionAsync(page, "messaging", "Replay error queues", () =>
                Expect(starting.Or(dialog).First).ToBeVisibleAsync(new() { Timeout = 20_000 }));
            await Expect(dialog).ToContainTextAsync("Moves the messages that failed every retry back to the queues they came from.");
            await Expect(dialog.GetByText("Error queue", new() { Exact = true })).ToBeVisibleAsync();
            await dialog.GetByRole(AriaRole.Textbox).FillAsync("sales-contact-directory_error");
            await ScreenshotAsync(page, "replay-dialog");
            await ClickingAgainIfNothingComesOfItAsync("Replay error queues (the dialog's button)",
                () => dialog.Locator("fluent-button").Filter(new() { HasText = "Replay error queues" }).ClickAsync(),
                () => Expect(dialog).ToBeHiddenAsync(new() { Timeout = 20_000 }));
        }
        finally
        {
            // A command's dialog left open waits in the app host, and shows in every browser that opens the dashboard:
            // the other tests would find it in their way.
            for (var attempt = 1; attempt <= 3 && await dialog.IsVisibleAsync(); attempt++)
            {
                await dialog.GetByText("Cancel", new() { Exact = true }).ClickAsync();
                try
                {
                    await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                    output.WriteLine("The command's dialog stayed open after Cancel; cancelling again.");
                }
            }
        }

        // The dashboard re-renders its toasts: a closing copy may linger beside the open one, still visible while it
        // animates out (opened="false"), so only the open one is taken.
        var toast = page.GetByRole(AriaRole.Listitem, new() { Name = "messaging \"Replay error queues\" succeeded" })
            .And(page.Locator("[opened='true']"));
        await Expect(toast).ToBeVisibleAsync();
        await toast.GetByText("View response").ClickAsync();
        var response = page.GetByRole(AriaRole.Region, new() { Name = "Text content" });
        // One line per JSON line, beside the line numbers.
        foreach (var line in new[] { "\"errorQueue\": \"sales-contact-directory_error\",", "\"queue\": \"sales-contact-directory\",", "\"messages\": 1" })
        {
            await Expect(response.GetByText(line, new() { Exact = true })).ToBeVisibleAsync();
        }
        await ScreenshotAsync(page, "replay-response");
        await page.Keyboard.PressAsync("Escape");
        await Expect(response).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Notifications" }).ClickAsync();
        await Expect(page.GetByText("Replayed 1 message(s) from 1 error queue(s).").Filter(new() { Visible = true }).First).ToBeVisibleAsync();
        await ScreenshotAsync(page, "replay-notifications");

        await Eventually.TrueAsync(
            async () => (await gateway.PostJsonAsync("/api/v1/opportunities", opportunity)).Status == HttpStatusCode.Created,
            "the replayed event reaches Sales");
    }

    [Fact]
    public async Task A_double_opt_in_email_is_read_through_the_mail_resources_inbox_link_and_its_link_confirms_the_consent()
    {
        var gateway = await Host.GatewayClientAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email))).Body.Id();
        var requested = await gateway.PostJsonAsync($"/api/v1/people/{person}/consents/double-opt-in",
            new { purpose = "newsletter", channel = "email", source = "web-form", evidence = new { formId = "signup" } });
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);
        var canContact = $"/api/v1/marketing/contacts/{person}/can-contact?purpose=newsletter&channel=email";
        Assert.False((await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean());

        var page = await LoggedInPageAsync();
        var inbox = await page.Context.RunAndWaitForPageAsync(
            () => ResourceRow(page, "mail").GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync());
        // The sink's list is a plain page: read it again until Contacts' email has arrived.
        var mail = inbox.GetByTestId("mail-list").GetByRole(AriaRole.Row).Filter(new() { HasText = email });
        await Eventually.TrueAsync(async () =>
        {
            await inbox.ReloadAsync();
            return await mail.CountAsync() == 1;
        }, $"the email to {email} is listed", Arrival);
        await Expect(mail).ToContainTextAsync("Please confirm: our newsletter");
        await ScreenshotAsync(inbox, "mail-list");

        await mail.GetByRole(AriaRole.Link, new() { Name = "Please confirm: our newsletter" }).ClickAsync();
        var text = inbox.GetByTestId("mail-text");
        var confirm = text.GetByRole(AriaRole.Link, new() { NameRegex = Literal("/api/v1/consents/confirm?token=") });
        await Expect(confirm).ToHaveAttributeAsync("href", new Regex($"^{Escape($"{Host.Gateway}api/v1/consents/confirm?token=")}[A-Za-z0-9_-]+$"));
        await ScreenshotAsync(inbox, "mail-message");

        var link = new Uri((await confirm.GetAttributeAsync("href"))!);
        var token = Regex.Match(link.Query, "token=([A-Za-z0-9_-]+)").Groups[1].Value;
        using var anonymous = new HttpClient { BaseAddress = Host.Gateway };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostJsonAsync("/api/v1/consents/confirm", new { token })).Status);
        await Eventually.TrueAsync(async () => (await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean(),
            "Marketing may email the person once they confirmed");
    }

    private string DashboardUrl(string path) => new Uri(Host.Dashboard!, path).ToString();

    private async Task<IPage> LoggedInPageAsync()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(Host.LoginLink);
        await Expect(page).ToHaveTitleAsync("CrmPlatform resources");
        // The grid filled in, before anything leaves the page (see ReloadingIfTheDashboardFailsAsync).
        await Expect(page.GetByText($"Showing {Host.ResourceNames.Count} resources")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>
    /// Aspire's dashboard (13.6.5) sometimes loses a browser's session when a page whose data grid is still updating is
    /// left: Fluent UI's FluentDataGrid calls into its already disposed script module, the server ends the circuit, and the
    /// page says "An unhandled error has occurred. Reload" (the dashboard's log: ObjectDisposedException in
    /// FluentDataGrid.UpdateColumnInteractionsAsync). A person reloads; so does the test, once, and says so. Anything
    /// else fails the test as it is.
    /// </summary>
    private async Task ReloadingIfTheDashboardFailsAsync(IPage page, Func<Task> step)
    {
        try
        {
            await step();
            return;
        }
        catch (PlaywrightException failure)
        {
            if (!await DashboardFailed(page).IsVisibleAsync())
            {
                throw;
            }
            output.WriteLine($"The dashboard failed on {page.Url} (\"An unhandled error has occurred\"); reloading. {failure.Message}");
        }

        await page.ReloadAsync();
        await step();
    }

    private static ILocator DashboardFailed(IPage page) => page.GetByText("An unhandled error has occurred.");

    /// <summary>Chooses one of a resource's actions from its actions menu (the "…" of its row) on the resources page.</summary>
    private Task ChooseActionAsync(IPage page, string resource, string action, Func<Task> happened)
    {
        var item = page.GetByRole(AriaRole.Menuitem, new() { Name = action, Exact = true });
        return ClickingAgainIfNothingComesOfItAsync($"{action} on {resource}", async () =>
        {
            if (!await item.IsVisibleAsync())
            {
                await ResourceRow(page, resource).GetByRole(AriaRole.Button, new() { Name = "Actions" }).ClickAsync();
            }
            await item.ClickAsync();
        }, happened);
    }

    /// <summary>
    /// Clicks, and clicks again (at most twice more, saying so) when nothing <paramref name="happened"/>. The dashboard
    /// re-renders its pages for every update of the resources' states and health reports, several times a second; on
    /// two busy cores a click on a menu item or a dialog's button now and then comes to nothing (the menu or dialog
    /// stays open, the app host hears of no command), and a person clicks again. Only for clicks whose effect shows, so
    /// that a slow first click is not taken for a lost one.
    /// </summary>
    private async Task ClickingAgainIfNothingComesOfItAsync(string what, Func<Task> click, Func<Task> happened)
    {
        for (var attempt = 1; ; attempt++)
        {
            await click();
            try
            {
                await happened();
                return;
            }
            catch (PlaywrightException failure) when (attempt < 3)
            {
                output.WriteLine($"Nothing came of clicking {what}; clicking again. {failure.Message}");
            }
        }
    }

    /// <summary>The login page's token box (the input inside Fluent's text field, which carries the placeholder too).</summary>
    private static ILocator TokenField(IPage page) =>
        page.GetByPlaceholder("Enter token to log in...").And(page.Locator("input"));

    /// <summary>A resource's row of the resources grid: its name cell reads "Type: name".</summary>
    private static ILocator ResourceRow(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new()
        {
            Has = page.GetByRole(AriaRole.Gridcell, new() { NameRegex = new Regex($"^[^:]+: {Escape(name)}$") }),
        });

    /// <summary>A span of the trace detail's grid: its name cell reads "resource: span name".</summary>
    private static ILocator Span(IPage page, string name) =>
        page.GetByRole(AriaRole.Gridcell, new() { Name = name, Exact = true });

    /// <summary>
    /// The span details pane's title: "resource: span name" and the span id's first 7 digits (the page's own title, a
    /// level higher, is the trace's name and the trace id's first 7 digits).
    /// </summary>
    private static ILocator SpanDetailsTitle(IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^{Escape(name)} [0-9a-f]{{7}}$"), Level = 2 });

    /// <summary>A row of the details pane's property grids ("Name", "Value").</summary>
    private static ILocator DetailsRow(IPage page, string property) =>
        page.GetByRole(AriaRole.Row).Filter(new() { HasTextRegex = new Regex($"^{Escape(property)}\\s") });

    /// <summary>
    /// Types into the page's filter box (once the page is there: a client-side navigation leaves the previous page's box
    /// in place for a moment) until the page shows the filter <paramref name="applied"/>. Now and then the dashboard
    /// leaves a list unfiltered though its box shows the text (typed while the page re-rendered for live data); a person
    /// types it again, and so does the test, saying so.
    /// </summary>
    private async Task FilterAsync(IPage page, string text, Func<Task> applied)
    {
        var filter = page.GetByRole(AriaRole.Searchbox);
        for (var attempt = 1; ; attempt++)
        {
            await filter.FillAsync(text);
            await Expect(filter).ToHaveValueAsync(text);
            try
            {
                await applied();
                return;
            }
            catch (PlaywrightException failure) when (attempt < 3)
            {
                output.WriteLine($"The filter \"{text}\" typed on {page.Url} was not applied; typing it again. {failure.Message}");
                await filter.ClearAsync();
            }
        }
    }

    private static Regex Literal(string text) => new(Escape(text));

    /// <summary>
    /// <see cref="Regex.Escape"/>, and slashes too: Playwright hands a pattern to the browser as <c>/source/</c>, where an
    /// unescaped slash ends it.
    /// </summary>
    private static string Escape(string text) => Regex.Escape(text).Replace("/", @"\/", StringComparison.Ordinal);

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot.Value, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"dashboard-{name}.png"), FullPage = true });
    }

    private static readonly Lazy<string> RepositoryRoot = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CrmPlatform.sln")))
            {
                return folder.FullName;
            }
        }

        return AppContext.BaseDirectory;
    });

    /// <summary>One headless chromium for the class; each test has a context (cookies, pages) of its own.</summary>
    public sealed class Browser : IAsyncLifetime
    {
        private IPlaywright _playwright = null!;

        public IBrowser Instance { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            // The dashboard's pages update live; on two busy cores an update can take a while.
            SetDefaultExpectTimeout(30_000);
            _playwright = await Playwright.CreateAsync();
            Instance = await Chromium.LaunchAsync(_playwright);
        }

        public async Task DisposeAsync()
        {
            await Instance.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
