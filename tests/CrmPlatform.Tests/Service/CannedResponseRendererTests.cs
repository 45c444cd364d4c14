using CrmPlatform.Service.CannedResponses;
using CrmPlatform.Templating;

namespace CrmPlatform.Tests.Service;

/// <summary>The renderer the ticket replies will use: syntax checked with a position, only the model's fields visible.</summary>
public sealed class CannedResponseRendererTests
{
    private readonly CannedResponseRenderer _renderer = new();

    [Fact]
    public void A_syntax_error_names_its_line_and_column()
    {
        var check = _renderer.Check("Hallo {{ requester.first_name }},\n\n{% if ticket.reference %}\nIhr Ticket {{ ticket.reference");

        Assert.False(check.IsValid);
        Assert.Equal(4, check.Line);
        Assert.True(check.Column > 1, $"column {check.Column}");
        Assert.False(string.IsNullOrWhiteSpace(check.Message));
        Assert.DoesNotContain("\n", check.Message);
    }

    [Fact]
    public async Task Fields_render_with_fallbacks_for_what_is_missing()
    {
        const string body = "Hi {{ requester.first_name | default: \"there\" }}, about {{ ticket.reference }}: {{ ticket.subject }}. {{ agent.name }}";

        var text = await _renderer.RenderAsync(body, ResponseFormats.Text,
            new TemplateModel(new TicketFields(Reference: "SR-1042", Subject: "Invoice missing"), new PersonFields(), new AgentFields(Name: "Ada")));

        Assert.Equal("Hi there, about SR-1042: Invoice missing. Ada", text);
    }

    [Fact]
    public async Task Nothing_but_the_listed_fields_is_reachable()
    {
        const string body = "[{{ requester.GetType }}][{{ requester.first_name.Length }}][{{ ticket.Id }}][{{ agent.password }}][{{ environment }}][{{ requester.Email }}]";

        var text = await _renderer.RenderAsync(body, ResponseFormats.Text,
            new TemplateModel(new TicketFields(Reference: "SR-1"), new PersonFields(FirstName: "Grace", Email: "grace@example.com"), new AgentFields(Name: "Ada")));

        Assert.Equal("[][][][][][]", text);
    }

    [Fact]
    public async Task Html_bodies_encode_values_and_text_bodies_do_not()
    {
        var model = new TemplateModel(Requester: new PersonFields(FirstName: "<script>alert(1)</script>Tom & Jerry"));

        var html = await _renderer.RenderAsync("<p>Hello {{ requester.first_name }}</p>", ResponseFormats.Html, model);
        var text = await _renderer.RenderAsync("Hello {{ requester.first_name }}", ResponseFormats.Text, model);

        Assert.DoesNotContain("<script", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("<p>", html);
        Assert.Equal("Hello <script>alert(1)</script>Tom & Jerry", text);
    }

    [Fact]
    public async Task A_runaway_loop_is_stopped()
    {
        await Assert.ThrowsAsync<TemplateRenderException>(() =>
            _renderer.RenderAsync("{% for i in (1..10000000) %}x{% endfor %}", ResponseFormats.Text, new TemplateModel()));
    }
}
