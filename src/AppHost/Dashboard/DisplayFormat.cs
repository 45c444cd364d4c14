using System.Globalization;
using System.Text.RegularExpressions;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>How the pages write times, durations and process output.</summary>
public static partial class DisplayFormat
{
    /// <summary>The AppHost's local time: the dashboard is opened on the machine that runs the platform.</summary>
    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        <= 0 => "0 ms",
        < 0.001 => $"{duration.TotalMicroseconds.ToString("0", CultureInfo.InvariantCulture)} μs",
        < 1 => $"{duration.TotalMilliseconds.ToString("0.##", CultureInfo.InvariantCulture)} ms",
        < 60 => $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
        _ => duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
    };

    public static string Number(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);

    /// <summary>Removes the colour and cursor codes (ANSI escape sequences) that consoles interpret and browsers would print.</summary>
    public static string WithoutAnsiCodes(string text) => text.Contains('\u001b') ? AnsiEscape().Replace(text, "") : text;

    [GeneratedRegex(@"\u001b(\[[0-9;?]*[ -/]*[@-~]|\][^\u0007]*\u0007|[@-Z\\-_])")]
    private static partial Regex AnsiEscape();
}
