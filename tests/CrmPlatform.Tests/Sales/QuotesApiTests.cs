using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Gdpr;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Products, price books and quotes through Sales' API on real PostgreSQL and RabbitMQ: totals, revisions, decisions,
/// the document, record scopes, tenant isolation and the events the outbox publishes.
/// </summary>
public sealed class QuotesApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private static string NewSku() => $"SKU-{Guid.NewGuid():N}"[..16];

    private static string InDays(int days) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(days).ToString("yyyy-MM-dd");

    private async Task<Guid> CustomerAsync()
    {
        var id = (await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Katherine", lastName: "Johnson"))).Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, id) is not null, "Sales knows the person");
        return id;
    }

    private async Task<JsonElement> OpportunityAsync(Guid customerId, string currency = "EUR", HttpClient? sales = null) =>
        await (sales ?? _sales).PostJsonAsync("/api/v1/opportunities",
            new { name = "Fleet renewal", amount = 12500.50m, currency, customerId }).CreatedAsync();

    private async Task<JsonElement> ProductAsync(string name = "Widget", HttpClient? sales = null) =>
        await (sales ?? _sales).PostJsonAsync("/api/v1/products", new { sku = NewSku(), name, description = "A fine widget" }).CreatedAsync();

    private async Task<JsonElement> PriceBookAsync(string currency, params (Guid ProductId, decimal UnitPrice)[] entries) =>
        await _sales.PostJsonAsync("/api/v1/price-books", new
        {
            name = $"List {currency}",
            currency,
            entries = entries.Select(e => new { productId = e.ProductId, unitPrice = e.UnitPrice }).ToArray(),
        }).CreatedAsync();

    private static object QuoteBody(Guid opportunityId, Guid priceBookId, object[] lines, string? currency = null, string? validUntil = null, string? notes = null) =>
        new { opportunityId, priceBookId, currency, validUntil = validUntil ?? InDays(30), notes, lines };

    private static Task<ApiAnswer> PostAsync(HttpClient client, string url, JsonElement record, object? body = null) =>
        client.SendJsonAsync(HttpMethod.Post, url, body, record.ETag());

    /// <summary>A sent quote of one 100.00 line at 19 % (total 119.00) on a new EUR opportunity.</summary>
    private async Task<(JsonElement Quote, JsonElement Opportunity)> SentQuoteAsync(string opportunityCurrency = "EUR", string? validUntil = null)
    {
        var opportunity = await OpportunityAsync(await CustomerAsync(), opportunityCurrency);
        var product = await ProductAsync();
        var book = await PriceBookAsync("EUR", (product.Id(), 100m));
        var draft = await _sales.PostJsonAsync("/api/v1/quotes",
            QuoteBody(opportunity.Id(), book.Id(), [new { productId = product.Id(), quantity = 1, taxRate = 19 }], validUntil: validUntil)).CreatedAsync();
        var sent = await PostAsync(_sales, $"/api/v1/quotes/{draft.Id()}/send", draft);
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        return (sent.Body, opportunity);
    }

    private Task<List<OutboxRow>> EventsAsync<TEvent>(Guid aggregateId) where TEvent : IIntegrationEvent =>
        PlatformServices.QueryAsync(Platform.Sales, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(TEvent).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => new OutboxRow(m.ToEvent(), m.PublishedAt is not null))
            .Where(row => row.Event.AggregateId == aggregateId)
            .ToList());

    private sealed record OutboxRow(IIntegrationEvent Event, bool Published);

    /// <summary>Waits until the broker has confirmed the event, then checks it is the only one of its kind for the quote.</summary>
    private async Task<TEvent> PublishedOnceAsync<TEvent>(Guid aggregateId) where TEvent : IIntegrationEvent
    {
        var rows = await Eventually.ReturnsAsync(() => EventsAsync<TEvent>(aggregateId), rows => rows.Any(r => r.Published),
            $"{typeof(TEvent).Name} for {aggregateId} is published");
        var only = Assert.Single(rows);
        Assert.Equal(TenantContext.DefaultTenantId, only.Event.TenantId);
        return (TEvent)only.Event;
    }

    private async Task<HttpClient> OtherTenantAsync() => Platform.ClientFor(Platform.Sales,
        await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), Guid.NewGuid(), Roles.Admin));

    [Fact]
    public async Task A_sku_is_unique_within_a_tenant_and_invisible_to_others()
    {
        var sku = NewSku();
        var product = await _sales.PostJsonAsync("/api/v1/products", new { sku, name = "Anvil" }).CreatedAsync();
        Assert.True(product.GetProperty("active").GetBoolean());

        (await _sales.PostJsonAsync("/api/v1/products", new { sku, name = "Another anvil" })).AssertProblem(HttpStatusCode.Conflict);
        var other = await ProductAsync("Hammer");
        (await _sales.PutJsonAsync($"/api/v1/products/{other.Id()}", new { sku, name = "Hammer" }, other.ETag())).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.PostJsonAsync("/api/v1/products", new { sku = "", name = "" })).AssertProblem(HttpStatusCode.BadRequest);

        var renamed = await _sales.PutJsonAsync($"/api/v1/products/{product.Id()}", new { sku, name = "Anvil XL", active = false }, product.ETag());
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.False(renamed.Body.GetProperty("active").GetBoolean());
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/products?filter[sku]={sku}")).Items(), p => p.Id() == product.Id());

        var otherTenant = await OtherTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await otherTenant.PostJsonAsync("/api/v1/products", new { sku, name = "Their anvil" })).Status);
        (await otherTenant.GetJsonAsync($"/api/v1/products/{product.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await otherTenant.GetJsonAsync("/api/v1/products?limit=200")).Items(), p => p.Id() == product.Id());
    }

    [Fact]
    public async Task A_price_book_prices_each_product_once_in_its_one_currency()
    {
        var product = await ProductAsync();
        var duplicate = await _sales.PostJsonAsync("/api/v1/price-books", new
        {
            name = "Twice", currency = "EUR",
            entries = new[] { new { productId = product.Id(), unitPrice = 1m }, new { productId = product.Id(), unitPrice = 2m } },
        });
        duplicate.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(duplicate.Body.GetProperty("errors").TryGetProperty("entries[1].productId", out _));
        (await _sales.PostJsonAsync("/api/v1/price-books", new { name = "Bad", currency = "euro" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PostJsonAsync("/api/v1/price-books", new
        {
            name = "Unknown", currency = "EUR", entries = new[] { new { productId = Guid.NewGuid(), unitPrice = 1m } },
        })).AssertProblem(HttpStatusCode.UnprocessableEntity);

        var book = await PriceBookAsync("EUR", (product.Id(), 19.99m));
        var entry = Assert.Single(book.GetProperty("entries").EnumerateArray().ToList());
        Assert.Equal((product.Str("sku"), 19.99m), (entry.Str("sku"), entry.GetProperty("unitPrice").GetDecimal()));

        (await _sales.PutJsonAsync($"/api/v1/price-books/{book.Id()}", new { name = "List", currency = "USD" }, book.ETag()))
            .AssertProblem(HttpStatusCode.BadRequest);
        var added = await ProductAsync();
        var repriced = await _sales.PutJsonAsync($"/api/v1/price-books/{book.Id()}", new
        {
            name = "List EUR", currency = "EUR",
            entries = new[] { new { productId = product.Id(), unitPrice = 21.5m }, new { productId = added.Id(), unitPrice = 3m } },
        }, book.ETag());
        Assert.Equal(HttpStatusCode.OK, repriced.Status);
        Assert.Equal(2, repriced.Body.GetProperty("version").GetInt32());
        var prices = (await _sales.GetJsonAsync($"/api/v1/price-books/{book.Id()}")).Body.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("productId").GetGuid(), e => e.GetProperty("unitPrice").GetDecimal());
        Assert.Equal(new Dictionary<Guid, decimal> { [product.Id()] = 21.5m, [added.Id()] = 3m }, prices);
        var dropped = await _sales.PutJsonAsync($"/api/v1/price-books/{book.Id()}",
            new { name = "List EUR", currency = "EUR", entries = new[] { new { productId = added.Id(), unitPrice = 3m } } }, repriced.Body.ETag());
        Assert.Equal(added.Id(), Assert.Single(dropped.Body.GetProperty("entries").EnumerateArray().ToList()).GetProperty("productId").GetGuid());
        (await _sales.PutJsonAsync($"/api/v1/price-books/{book.Id()}", new { name = "Stale", currency = "EUR" }, book.ETag()))
            .AssertProblem(HttpStatusCode.PreconditionFailed);

        var otherTenant = await OtherTenantAsync();
        (await otherTenant.GetJsonAsync($"/api/v1/price-books/{book.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.PutJsonAsync($"/api/v1/price-books/{book.Id()}", new { name = "Taken", currency = "EUR" }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_quote_takes_unit_prices_from_its_price_book_and_totals_round_per_line_and_per_rate()
    {
        var opportunity = await OpportunityAsync(await CustomerAsync());
        var widget = await ProductAsync("Widget");
        var sample = await ProductAsync("Sample");
        var book = await PriceBookAsync("EUR", (widget.Id(), 19.99m), (sample.Id(), 0.125m));

        var quote = await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(),
        [
            // 3 × 19.99 = 59.97, less 10 % = 53.973 → 53.97
            new { productId = widget.Id(), quantity = 3, discountPercent = 10, taxRate = 19 },
            // 80.005 → 80.01 (half away from zero)
            new { description = "Setup", quantity = 1, unitPrice = 80.005m, taxRate = 19 },
            // 0.125 → 0.13
            new { productId = sample.Id(), quantity = 1, taxRate = 7 },
        ])).CreatedAsync();

        Assert.Equal(("EUR", "draft", 1), (quote.Str("currency"), quote.Str("status"), quote.GetProperty("revision").GetInt32()));
        var lines = quote.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal((19.99m, "Widget", widget.Str("sku")), (lines[0].GetProperty("unitPrice").GetDecimal(), lines[0].Str("description"), lines[0].Str("sku")));
        Assert.Equal(new[] { 53.97m, 80.01m, 0.13m }, lines.Select(l => l.GetProperty("netAmount").GetDecimal()));
        // 19 % of 133.98 = 25.4562 → 25.46; 7 % of 0.13 = 0.0091 → 0.01.
        Assert.Equal(134.11m, quote.GetProperty("subtotal").GetDecimal());
        Assert.Equal(25.47m, quote.GetProperty("taxTotal").GetDecimal());
        Assert.Equal(159.58m, quote.GetProperty("total").GetDecimal());
        Assert.Equal(new[] { 0.01m, 25.46m }, quote.GetProperty("taxes").EnumerateArray().Select(t => t.GetProperty("taxAmount").GetDecimal()));

        var read = (await _sales.GetJsonAsync($"/api/v1/quotes/{quote.Id()}")).Body;
        Assert.Equal(159.58m, read.GetProperty("total").GetDecimal());
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/quotes?filter[opportunityId]={opportunity.Id()}")).Items(), q => q.Id() == quote.Id());
    }

    [Fact]
    public async Task A_quote_in_another_currency_than_its_price_book_or_with_unpriced_products_answers_422()
    {
        var opportunity = await OpportunityAsync(await CustomerAsync());
        var priced = await ProductAsync();
        var unpriced = await ProductAsync();
        var book = await PriceBookAsync("EUR", (priced.Id(), 10m));

        var mismatch = await _sales.PostJsonAsync("/api/v1/quotes",
            QuoteBody(opportunity.Id(), book.Id(), [new { productId = priced.Id(), quantity = 1 }], currency: "USD"));
        mismatch.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(mismatch.Body.GetProperty("errors").TryGetProperty("currency", out _));

        var noPrice = await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(), [new { productId = unpriced.Id(), quantity = 1 }]));
        noPrice.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(noPrice.Body.GetProperty("errors").TryGetProperty("lines[0].unitPrice", out _));

        (await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(Guid.NewGuid(), book.Id(), [])))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(), [new { quantity = 0.0001m }])))
            .AssertProblem(HttpStatusCode.BadRequest);
        Assert.Empty((await _sales.GetJsonAsync($"/api/v1/quotes?filter[opportunityId]={opportunity.Id()}")).Items());
    }

    [Fact]
    public async Task A_yen_quote_has_whole_amounts()
    {
        var opportunity = await OpportunityAsync(await CustomerAsync(), "JPY");
        var product = await ProductAsync();
        var book = await PriceBookAsync("JPY", (product.Id(), 333.5m));

        var quote = await _sales.PostJsonAsync("/api/v1/quotes",
            QuoteBody(opportunity.Id(), book.Id(), [new { productId = product.Id(), quantity = 3, taxRate = 10 }], currency: "JPY")).CreatedAsync();

        // 3 × 333.5 = 1000.5 → 1001 yen; 10 % = 100.1 → 100.
        Assert.Equal((1001m, 100m, 1101m),
            (quote.GetProperty("subtotal").GetDecimal(), quote.GetProperty("taxTotal").GetDecimal(), quote.GetProperty("total").GetDecimal()));
    }

    [Fact]
    public async Task A_sent_quote_is_immutable_and_a_revision_is_a_new_draft_of_the_same_number()
    {
        var (sent, opportunity) = await SentQuoteAsync();
        Assert.Equal("sent", sent.Str("status"));
        var url = $"/api/v1/quotes/{sent.Id()}";
        var body = QuoteBody(opportunity.Id(), sent.GetProperty("priceBookId").GetGuid(), [new { description = "Cheaper", quantity = 1, unitPrice = 1m }]);

        (await _sales.PutJsonAsync(url, body, sent.ETag())).AssertProblem(HttpStatusCode.Conflict);
        (await PostAsync(_sales, $"{url}/send", sent)).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.SendJsonAsync(HttpMethod.Post, $"{url}/accept")).AssertProblem(HttpStatusCode.PreconditionRequired);
        Assert.Equal(119m, (await _sales.GetJsonAsync(url)).Body.GetProperty("total").GetDecimal());

        var sentEvent = await PublishedOnceAsync<QuoteSent>(sent.Id());
        Assert.Equal((sent.GetProperty("number").GetInt32(), 1, 119m, "EUR"),
            (sentEvent.Quote.Number, sentEvent.Quote.Revision, sentEvent.Quote.Total, sentEvent.Quote.Currency));
        Assert.Equal(opportunity.Id(), sentEvent.Quote.OpportunityId);
        Assert.Equal(100m, Assert.Single(sentEvent.Quote.Lines).NetAmount);

        var revised = await _sales.PostJsonAsync($"{url}/revise", new { }).CreatedAsync();
        Assert.NotEqual(sent.Id(), revised.Id());
        Assert.Equal((sent.GetProperty("number").GetInt32(), 2, "draft", 119m),
            (revised.GetProperty("number").GetInt32(), revised.GetProperty("revision").GetInt32(), revised.Str("status"), revised.GetProperty("total").GetDecimal()));
        (await _sales.PostJsonAsync($"{url}/revise", new { })).AssertProblem(HttpStatusCode.Conflict);

        var edited = await _sales.PutJsonAsync($"/api/v1/quotes/{revised.Id()}", body, revised.ETag());
        Assert.Equal(HttpStatusCode.OK, edited.Status);
        Assert.Equal((1m, 2), (edited.Body.GetProperty("total").GetDecimal(), edited.Body.GetProperty("version").GetInt32()));
        Assert.Equal(119m, (await _sales.GetJsonAsync(url)).Body.GetProperty("total").GetDecimal());
        Assert.Empty(await EventsAsync<QuoteSent>(revised.Id()));
    }

    [Fact]
    public async Task Accepting_sets_the_opportunity_amount_and_only_one_revision_is_ever_accepted()
    {
        var (first, opportunity) = await SentQuoteAsync();
        var second = await _sales.PostJsonAsync($"/api/v1/quotes/{first.Id()}/revise", new { }).CreatedAsync();
        second = (await PostAsync(_sales, $"/api/v1/quotes/{second.Id()}/send", second)).Body;

        var accepted = await PostAsync(_sales, $"/api/v1/quotes/{second.Id()}/accept", second, new { setOpportunityAmount = true });
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal("accepted", accepted.Body.Str("status"));
        var updated = (await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}")).Body;
        Assert.Equal((119m, 2), (updated.GetProperty("amount").GetDecimal(), updated.GetProperty("version").GetInt32()));

        var acceptedEvent = await PublishedOnceAsync<QuoteAccepted>(second.Id());
        Assert.True(acceptedEvent.OpportunityAmountSet);
        Assert.Equal((2, 119m), (acceptedEvent.Quote.Revision, acceptedEvent.Quote.Total));

        var firstNow = (await _sales.GetJsonAsync($"/api/v1/quotes/{first.Id()}")).Body;
        (await PostAsync(_sales, $"/api/v1/quotes/{first.Id()}/accept", firstNow)).AssertProblem(HttpStatusCode.Conflict);
        (await PostAsync(_sales, $"/api/v1/quotes/{second.Id()}/accept", accepted.Body)).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.PostJsonAsync($"/api/v1/quotes/{second.Id()}/revise", new { })).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("sent", (await _sales.GetJsonAsync($"/api/v1/quotes/{first.Id()}")).Body.Str("status"));
        Assert.Empty(await EventsAsync<QuoteAccepted>(first.Id()));
    }

    [Fact]
    public async Task Accepting_into_an_opportunity_of_another_currency_changes_nothing()
    {
        var (sent, opportunity) = await SentQuoteAsync(opportunityCurrency: "USD");

        var refused = await PostAsync(_sales, $"/api/v1/quotes/{sent.Id()}/accept", sent, new { setOpportunityAmount = true });
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("sent", (await _sales.GetJsonAsync($"/api/v1/quotes/{sent.Id()}")).Body.Str("status"));
        Assert.Equal(12500.50m, (await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}")).Body.GetProperty("amount").GetDecimal());
        Assert.Empty(await EventsAsync<QuoteAccepted>(sent.Id()));

        var accepted = await PostAsync(_sales, $"/api/v1/quotes/{sent.Id()}/accept", sent, new { setOpportunityAmount = false });
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.False((await PublishedOnceAsync<QuoteAccepted>(sent.Id())).OpportunityAmountSet);
        Assert.Equal(12500.50m, (await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}")).Body.GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_sent_quote_past_its_validity_reads_expired_and_can_no_longer_be_accepted()
    {
        var (sent, opportunity) = await SentQuoteAsync(validUntil: InDays(0));
        Assert.Equal("sent", sent.Str("status"));

        // A day passes: the quote was valid until yesterday.
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        await PlatformServices.QueryAsync(Platform.Sales, db => db.Quotes.Where(q => q.Id == sent.Id())
            .ExecuteUpdateAsync(set => set.SetProperty(q => q.ValidUntil, yesterday)));

        var expired = (await _sales.GetJsonAsync($"/api/v1/quotes/{sent.Id()}")).Body;
        Assert.Equal("expired", expired.Str("status"));
        var list = $"/api/v1/quotes?filter[opportunityId]={opportunity.Id()}&filter[status]=";
        Assert.Contains((await _sales.GetJsonAsync(list + "expired")).Items(), q => q.Id() == sent.Id());
        Assert.Empty((await _sales.GetJsonAsync(list + "sent")).Items());
        (await _sales.GetJsonAsync(list + "someday")).AssertProblem(HttpStatusCode.BadRequest);

        (await PostAsync(_sales, $"/api/v1/quotes/{sent.Id()}/accept", expired)).AssertProblem(HttpStatusCode.Conflict);
        (await PostAsync(_sales, $"/api/v1/quotes/{sent.Id()}/reject", expired)).AssertProblem(HttpStatusCode.Conflict);
        var revised = await _sales.PostJsonAsync($"/api/v1/quotes/{sent.Id()}/revise", new { }).CreatedAsync();
        // The revision keeps the old date: it must get a new one before it can go out.
        (await PostAsync(_sales, $"/api/v1/quotes/{revised.Id()}/send", revised)).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task The_document_shows_the_lines_and_totals_and_escapes_what_people_typed()
    {
        var opportunity = await OpportunityAsync(await CustomerAsync());
        var product = await _sales.PostJsonAsync("/api/v1/products", new { sku = NewSku(), name = "<b>Bold</b> & Co" }).CreatedAsync();
        var book = await PriceBookAsync("EUR", (product.Id(), 1234.5m));
        var quote = await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(),
        [
            new { productId = product.Id(), quantity = 2, taxRate = 19 },
            new { description = "<script>alert('x')</script>", quantity = 1.5, unitPrice = 10m, taxRate = 19 },
        ], notes: "Terms: <img src=x onerror=alert(1)>")).CreatedAsync();

        var document = await _sales.GetAsync($"/api/v1/quotes/{quote.Id()}/document");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("text/html", document.Content.Headers.ContentType?.MediaType);
        var html = await document.Content.ReadAsStringAsync();

        Assert.Contains($"Quote {quote.GetProperty("number").GetInt32()} (revision 1)", html);
        Assert.Contains("Katherine Johnson", html);
        Assert.Contains("&lt;b&gt;Bold&lt;/b&gt; &amp; Co", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>", html);
        // 2 × 1234.50 = 2,469.00 and 1.5 × 10 = 15.00; 19 % of 2,484.00 = 471.96.
        foreach (var amount in new[] { "2,469.00", "15.00", "2,484.00", "471.96", "2,955.96" })
        {
            Assert.Contains($">{amount}<", html);
        }
        Assert.Contains("default-src 'none'", document.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Quotes_follow_their_opportunitys_record_scope_and_reps_only_read_the_catalogue()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var owner = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        Assert.Equal(HttpStatusCode.Created,
            (await admin.PostJsonAsync("/api/v1/teams", new { name = "Quotes", memberIds = new[] { owner.Id, manager.Id } })).Status);
        async Task<HttpClient> SalesAs(TestUser user, string role) =>
            Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(user.Id.ToString(), TenantContext.DefaultTenantId, role));
        var ownerSales = await SalesAs(owner, Roles.SalesRep);
        var managerSales = await SalesAs(manager, Roles.SalesManager);
        var outsiderSales = await SalesAs(outsider, Roles.SalesRep);

        (await ownerSales.PostJsonAsync("/api/v1/products", new { sku = NewSku(), name = "Rep's own" })).AssertProblem(HttpStatusCode.Forbidden);
        var product = await ProductAsync(sales: managerSales);
        var book = await PriceBookAsync("EUR", (product.Id(), 50m));
        Assert.Equal(HttpStatusCode.OK, (await ownerSales.GetJsonAsync($"/api/v1/price-books/{book.Id()}")).Status);
        (await ownerSales.PutJsonAsync($"/api/v1/price-books/{book.Id()}", new { name = "Cut", currency = "EUR" }, book.ETag()))
            .AssertProblem(HttpStatusCode.Forbidden);

        var opportunity = await OpportunityAsync(await CustomerAsync(), sales: ownerSales);
        var quote = await ownerSales.PostJsonAsync("/api/v1/quotes",
            QuoteBody(opportunity.Id(), book.Id(), [new { productId = product.Id(), quantity = 2 }])).CreatedAsync();
        var url = $"/api/v1/quotes/{quote.Id()}";

        await Eventually.TrueAsync(async () => (await managerSales.GetJsonAsync(url)).Status == HttpStatusCode.OK, "the team's manager sees the quote");
        Assert.Contains((await managerSales.GetJsonAsync("/api/v1/quotes?limit=200")).Items(), q => q.Id() == quote.Id());

        (await outsiderSales.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await outsiderSales.GetJsonAsync($"{url}/document")).AssertProblem(HttpStatusCode.NotFound);
        (await PostAsync(outsiderSales, $"{url}/send", quote)).AssertProblem(HttpStatusCode.NotFound);
        (await outsiderSales.PostJsonAsync($"{url}/revise", new { })).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await outsiderSales.GetJsonAsync("/api/v1/quotes?limit=200")).Items(), q => q.Id() == quote.Id());
        (await outsiderSales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(), [])))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);

        var sent = await PostAsync(ownerSales, $"{url}/send", quote);
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(managerSales, $"{url}/accept", sent.Body)).Status);
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_quotes_and_cannot_quote_on_our_records()
    {
        var (sent, opportunity) = await SentQuoteAsync();
        var otherTenant = await OtherTenantAsync();
        var url = $"/api/v1/quotes/{sent.Id()}";

        (await otherTenant.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.GetJsonAsync($"{url}/document")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.SendJsonAsync(HttpMethod.Post, $"{url}/accept", new { }, Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await otherTenant.GetJsonAsync("/api/v1/quotes?limit=200")).Items());
        (await otherTenant.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), sent.GetProperty("priceBookId").GetGuid(), [])))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("sent", (await _sales.GetJsonAsync(url)).Body.Str("status"));
    }

    [Fact]
    public async Task Two_revisions_accepted_at_once_end_with_exactly_one_accepted()
    {
        var (first, _) = await SentQuoteAsync();
        var second = await _sales.PostJsonAsync($"/api/v1/quotes/{first.Id()}/revise", new { }).CreatedAsync();
        second = (await PostAsync(_sales, $"/api/v1/quotes/{second.Id()}/send", second)).Body;

        var answers = await Task.WhenAll(
            PostAsync(_sales, $"/api/v1/quotes/{first.Id()}/accept", first),
            PostAsync(_sales, $"/api/v1/quotes/{second.Id()}/accept", second));

        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }, answers.Select(a => a.Status).Order());
        var statuses = new[] { first.Id(), second.Id() }.Select(async id => (await _sales.GetJsonAsync($"/api/v1/quotes/{id}")).Body.Str("status"));
        Assert.Equal(new[] { "accepted", "sent" }, (await Task.WhenAll(statuses)).Order());
    }

    [Fact]
    public async Task Quotes_created_at_once_get_numbers_of_their_own_and_a_retried_create_makes_one_quote()
    {
        var opportunity = await OpportunityAsync(await CustomerAsync());
        var product = await ProductAsync();
        var book = await PriceBookAsync("EUR", (product.Id(), 5m));
        var body = QuoteBody(opportunity.Id(), book.Id(), [new { productId = product.Id(), quantity = 1 }]);

        var created = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _sales.PostJsonAsync("/api/v1/quotes", body).CreatedAsync()));
        Assert.Equal(5, created.Select(q => q.GetProperty("number").GetInt32()).Distinct().Count());

        var client = Platform.ClientFor(Platform.Sales);
        client.DefaultRequestHeaders.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var once = await client.PostJsonAsync("/api/v1/quotes", body).CreatedAsync();
        var again = await client.PostJsonAsync("/api/v1/quotes", body);
        Assert.Equal((HttpStatusCode.Created, once.Id()), (again.Status, again.Body.Id()));
        Assert.Equal(6, (await _sales.GetJsonAsync($"/api/v1/quotes?filter[opportunityId]={opportunity.Id()}")).Items().Count);
    }

    [Fact]
    public async Task Sales_describes_the_new_endpoints_in_its_openapi_document()
    {
        using var anonymous = Platform.Sales.CreateClient();
        var answer = await anonymous.GetJsonAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var paths = answer.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/products", "/api/v1/price-books/{id}", "/api/v1/quotes/{id}/send", "/api/v1/quotes/{id}/document" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        Assert.True(paths.GetProperty("/api/v1/quotes/{id}/accept").GetProperty("post").GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(paths.GetProperty("/api/v1/quotes/{id}/revise").GetProperty("post").GetProperty("responses").TryGetProperty("404", out _));
    }

    [Fact]
    public async Task An_access_request_exports_the_persons_quotes_and_an_erasure_removes_their_notes_but_keeps_the_figures()
    {
        var steps = new GdprSteps(Platform);
        var person = await steps.PersonEverywhereAsync("Mary", "Jackson");
        var opportunity = await steps.OpportunityAsync(person, "Mary's wind tunnel");
        var product = await ProductAsync();
        var book = await PriceBookAsync("EUR", (product.Id(), 100m));
        var quote = await _sales.PostJsonAsync("/api/v1/quotes", QuoteBody(opportunity.Id(), book.Id(),
            [new { productId = product.Id(), quantity = 1, taxRate = 19 }], notes: "Call Mary at home after six")).CreatedAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_sales, $"/api/v1/quotes/{quote.Id()}/send", quote)).Status);

        var access = await steps.CompletedRequestAsync(person, "access");
        var export = await steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{access.Id()}/export");
        var exported = Assert.Single(export.Body.GetProperty("services").GetProperty("sales").GetProperty("data").GetProperty("quotes").EnumerateArray().ToList());
        Assert.Equal(("Call Mary at home after six", 119m, "sent"), (exported.Str("notes"), exported.GetProperty("total").GetDecimal(), exported.Str("status")));

        var erasure = await steps.CompletedRequestAsync(person, "erasure");
        Assert.Equal(1, erasure.GetProperty("services")[1].GetProperty("erased").GetProperty("quotes").GetInt32());
        var kept = (await _sales.GetJsonAsync($"/api/v1/quotes/{quote.Id()}")).Body;
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("notes").ValueKind);
        Assert.Equal((119m, "sent"), (kept.GetProperty("total").GetDecimal(), kept.Str("status")));
        var audit = await _sales.GetJsonAsync($"/api/v1/audit?entityId={quote.Id()}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.DoesNotContain("Call Mary", audit.Body.GetRawText());
    }

    [Fact]
    public async Task Deleting_an_opportunity_deletes_its_quotes()
    {
        var (sent, opportunity) = await SentQuoteAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/opportunities/{opportunity.Id()}", Api.AnyVersion)).Status);

        (await _sales.GetJsonAsync($"/api/v1/quotes/{sent.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.False(await PlatformServices.QueryAsync(Platform.Sales, db => db.Quotes.IgnoreQueryFilters().AnyAsync(q => q.Id == sent.Id())));
    }

    /// <summary>r = read, c = create, u = update: each answers its own status when allowed and 403 when not.</summary>
    [Theory]
    [InlineData(Roles.Admin, "rcu", "rcu")]
    [InlineData(Roles.SalesManager, "rcu", "rcu")]
    [InlineData(Roles.SalesRep, "r", "rcu")]
    [InlineData(Roles.Marketing, "r", "r")]
    [InlineData(Roles.ReadOnly, "r", "r")]
    [InlineData(Roles.ServiceAgent, "", "")]
    public async Task Each_role_gets_exactly_its_permissions_on_the_catalogue_and_quotes(string role, string catalogue, string quotes)
    {
        var client = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, role));
        var unknown = Guid.CreateVersion7();
        var failures = new List<string>();
        foreach (var (resource, allowed, validBody) in new (string, string, object)[]
                 {
                     ("products", catalogue, new { sku = "PROBE", name = "Probe" }),
                     ("price-books", catalogue, new { name = "Probe", currency = "EUR" }),
                     ("quotes", quotes, QuoteBody(unknown, unknown, [])),
                 })
        {
            foreach (var (operation, method, url, body, whenAllowed) in new (char, HttpMethod, string, object?, HttpStatusCode)[]
                     {
                         ('r', HttpMethod.Get, $"/api/v1/{resource}", null, HttpStatusCode.OK),
                         ('c', HttpMethod.Post, $"/api/v1/{resource}", new { }, HttpStatusCode.BadRequest),
                         ('u', HttpMethod.Put, $"/api/v1/{resource}/{unknown}", validBody, HttpStatusCode.NotFound),
                     })
            {
                var expected = allowed.Contains(operation) ? whenAllowed : HttpStatusCode.Forbidden;
                var answer = await client.SendJsonAsync(method, url, body, ifMatch: Api.AnyVersion);
                if (answer.Status != expected)
                {
                    failures.Add($"{method} {url}: expected {(int)expected}, got {(int)answer.Status}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{role}: {string.Join("; ", failures)}");
    }
}
