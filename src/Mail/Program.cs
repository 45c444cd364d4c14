using CrmPlatform.Mail;
using CrmPlatform.Mail.Apis;
using CrmPlatform.ServiceDefaults;

// The development mail sink (like Aspire's MailPit): SMTP in, a page and an API out, no authentication (see AddMailSink).
var builder = WebApplication.CreateBuilder(args);

builder.ConfigureOpenTelemetry();
builder.AddMailSink();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultHealthChecks();
app.MapMailPages();
app.MapMailApi();

await app.RunAsync();
