using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/MailBench -- [messages]
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
const int Warmup = 10;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var platform = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
try
{
    var started = await platform.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    using var gateway = await platform.CreateGatewayClientAsync("crm-admin", adminSecret);
    const string desk = "help@bench.example";
    using (var created = await gateway.PostAsJsonAsync("/api/v1/support-addresses", new { address = desk, displayName = "Bench Help" }))
    {
        created.EnsureSuccessStatusCode();
    }
    var smtpPort = int.Parse(Procfs.Environment(platform.ServiceProcess("Service").Pid)["Service__Smtp__Port"], CultureInfo.InvariantCulture);

    for (var i = 0; i < Warmup; i++)
    {
        await DeliverAndWaitAsync(i);
    }
    var times = new double[messages];
    for (var i = 0; i < messages; i++)
    {
        times[i] = await DeliverAndWaitAsync(Warmup + i);
    }
    Log($"mail to visible ticket: p95 {Percentile(times, 95):F1} ms");

    Console.WriteLine("## Inbound support mail to a ticket visible through the gateway");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/MailBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine($"{messages} messages from new senders, one after another (after {Warmup} warm-up ones), each in its own SMTP session to Service's listener; the whole platform running.");
    Console.WriteLine();
    Console.WriteLine("| from the SMTP connect to the ticket listed by the gateway | p50 | p95 | p99 | max |");
    Console.WriteLine("|---|---|---|---|---|");
    Console.WriteLine($"| new ticket by mail | {Percentile(times, 50):F1} ms | {Percentile(times, 95):F1} ms | {Percentile(times, 99):F1} ms | {times.Max():F1} ms |");

    // One customer's new request: the clock runs from the connect to the first gateway answer that lists the ticket.
    async Task<double> DeliverAndWaitAsync(int i)
    {
        var subject = $"Drucker druckt nicht ({Guid.NewGuid():N})";
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress($"Kunde {i}", $"kunde-{i}-{Guid.NewGuid():N}@customer.example"));
        message.To.Add(MailboxAddress.Parse(desk));
        message.Subject = subject;
        message.MessageId = $"{Guid.NewGuid():N}@customer.example";
        message.Body = new TextPart("plain") { Text = "Guten Tag,\n\nunser Drucker im zweiten Stock druckt seit heute Morgen nicht mehr.\n\nViele Grüße" };

        var clock = Stopwatch.StartNew();
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", smtpPort, SecureSocketOptions.None);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(quit: true);
        }
        while (true)
        {
            var page = await gateway.GetFromJsonAsync<JsonElement>("/api/v1/tickets?filter[channel]=email&sort=-number&limit=5");
            if (page.GetProperty("items").EnumerateArray().Any(t => t.GetProperty("subject").GetString() == subject))
            {
                return clock.Elapsed.TotalMilliseconds;
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The ticket for '{subject}' was not listed within 30 s.");
            }
            await Task.Delay(5);
        }
    }
}
catch
{
    Console.Error.WriteLine(platform.Output);
    throw;
}
finally
{
    var stop = await platform.StopAsync(timeout);
    Log($"stopped in {stop.Elapsed.TotalSeconds:F1} s; processes of the platform left running at exit: {stop.LeftAtExit.Count}");
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}
