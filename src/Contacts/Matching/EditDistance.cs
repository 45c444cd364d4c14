namespace CrmPlatform.Contacts.Matching;

/// <summary>
/// Optimal string alignment distance: insertions, deletions, substitutions, and a swap of two neighbouring letters
/// as one edit (Levenshtein counts Schnieder→Schneider as two, though it is the commonest typing slip).
/// </summary>
public static class EditDistance
{
    public static int Between(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length + b.Length;
        }
        // Three rows suffice: the swap looks two rows back.
        var twoBack = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], twoBack[j - 2] + 1);
                }
            }
            (twoBack, previous, current) = (previous, current, twoBack);
        }
        return previous[b.Length];
    }
}
