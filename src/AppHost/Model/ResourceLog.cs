namespace CrmPlatform.AppHost.Model;

public sealed record LogLine(DateTimeOffset Timestamp, string Text);

/// <summary>The last lines a resource printed, kept in memory for the dashboard.</summary>
public sealed class ResourceLog(int capacity = 2000)
{
    private readonly Queue<LogLine> _lines = new(capacity);

    public void Add(string text)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, text));
        }
    }

    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }
}
