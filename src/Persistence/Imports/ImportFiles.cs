using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Configuration;
using MiniExcelLibs;
using IConfiguration = Microsoft.Extensions.Configuration.IConfiguration;

namespace CrmPlatform.Persistence.Imports;

/// <summary>One data row of an import file: its number (1 after the header) and its cells by column.</summary>
public sealed record ImportRecord(int RowNumber, IReadOnlyDictionary<string, string?> Values);

public enum ImportFormat
{
    Csv,
    Xlsx,
}

/// <summary>
/// How a CSV file is written: its text encoding (<c>utf-8</c>, <c>utf-8-bom</c> or <c>windows-1252</c>) and the
/// character between its cells (<c>,</c>, <c>;</c> or a tab).
/// </summary>
public sealed record CsvDialect(string Encoding, char Delimiter)
{
    public const string Utf8 = "utf-8";
    public const string Utf8WithBom = "utf-8-bom";
    public const string Windows1252 = "windows-1252";

    /// <summary>ISO-8859-1 is Windows-1252 for every printable character, so one decoder reads both.</summary>
    public Encoding TextEncoding => Encoding == Windows1252 ? ImportFiles.Windows1252 : new UTF8Encoding(false);
}

/// <summary>
/// Where uploaded files are kept (<c>Imports:Directory</c>, one file per job) and how they are read: row by row, never
/// whole, CSV with CsvHelper and XLSX with MiniExcel's streaming query. Shared by the services that import (Contacts'
/// people, Sales' leads); each keeps its files in a folder of its own.
/// </summary>
public sealed class ImportFiles(IConfiguration configuration, string defaultFolderName)
{
    public string Directory { get; } = configuration["Imports:Directory"] ?? Path.Combine(Path.GetTempPath(), defaultFolderName);

    /// <summary><c>Imports:MaxFileBytes</c>, 1 GiB by default.</summary>
    public long MaxFileBytes { get; } = configuration.GetValue<long?>("Imports:MaxFileBytes") ?? 1L << 30;

    public string PathOf(Guid jobId) => Path.Combine(Directory, $"{jobId:N}.upload");

    /// <summary>Copies the body to the job's file in small buffers; false (and no file) when it is larger than allowed.</summary>
    public async Task<long?> SaveAsync(Guid jobId, Stream body, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(jobId);
        long written = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                written += read;
                if (written > MaxFileBytes)
                {
                    break;
                }
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch
        {
            Delete(jobId);
            throw;
        }
        if (written > MaxFileBytes)
        {
            Delete(jobId);
            return null;
        }
        return written;
    }

    public void Delete(Guid jobId) => File.Delete(PathOf(jobId));

    /// <summary>The header row; an error message when the file cannot be read as the format.</summary>
    public (string[] Columns, string? Error) ReadColumns(Guid jobId, ImportFormat format, CsvDialect? dialect = null)
    {
        try
        {
            var columns = format == ImportFormat.Csv
                ? CsvColumns(PathOf(jobId), dialect ?? DetectCsv(jobId))
                : [.. MiniExcel.GetColumns(PathOf(jobId), useHeaderRow: true, excelType: ExcelType.XLSX)];
            columns = [.. columns.Where(c => !string.IsNullOrWhiteSpace(c))];
            return columns.Length == 0 ? ([], "The file has no header row.") : (columns, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ([], $"The file cannot be read as {format.ToString().ToUpperInvariant()}: {ex.Message}");
        }
    }

    /// <summary>
    /// A first mapping from the header: a column named like a field (any case, ignoring spaces, <c>_</c> and <c>-</c>)
    /// maps to it, each field to one column at most. Column to field.
    /// </summary>
    public static Dictionary<string, string> GuessMapping(IEnumerable<string> columns, IEnumerable<string> fields) =>
        GuessMapping(columns, fields.ToDictionary(HeaderKey, f => f));

    /// <summary>The same with names other than the fields' own: <paramref name="byKey"/> maps a <see cref="HeaderKey"/> to a field.</summary>
    public static Dictionary<string, string> GuessMapping(IEnumerable<string> columns, IReadOnlyDictionary<string, string> byKey)
    {
        var mapping = new Dictionary<string, string>();
        foreach (var column in columns)
        {
            if (byKey.TryGetValue(HeaderKey(column), out var field) && !mapping.ContainsValue(field))
            {
                mapping[column] = field;
            }
        }
        return mapping;
    }

    /// <summary>
    /// A column name as guessing compares it: lower case, German umlauts and ß written out (<c>Straße</c> is
    /// <c>strasse</c>), other accents dropped, and nothing but letters and digits (<c>E-Mail</c>, <c>e_mail</c> and
    /// <c>Tel.</c> are <c>email</c>, <c>email</c> and <c>tel</c>).
    /// </summary>
    private const string Accents = "àáâãåèéêëìíîïòóôõøùúûýÿçñ";
    private const string Unaccented = "aaaaaeeeeiiiiooooouuuyycn";

    public static string HeaderKey(string name)
    {
        var key = new StringBuilder(name.Length);
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            switch (c)
            {
                case 'ä': key.Append("ae"); break;
                case 'ö': key.Append("oe"); break;
                case 'ü': key.Append("ue"); break;
                case 'ß': key.Append("ss"); break;
                case var letter when char.IsAsciiLetterOrDigit(letter): key.Append(letter); break;
                // The services run with invariant globalization, which cannot decompose accents: the common ones by hand.
                case var accented when Accents.IndexOf(accented) is var i and >= 0: key.Append(Unaccented[i]); break;
                default: break;
            }
        }
        return key.ToString();
    }

    /// <summary>The format a file name or content type says, if any.</summary>
    public static ImportFormat? FormatOf(string fileName, string? contentType) =>
        Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".csv" or ".txt" => ImportFormat.Csv,
            ".xlsx" => ImportFormat.Xlsx,
            _ => contentType?.Split(';')[0].Trim() switch
            {
                "text/csv" => ImportFormat.Csv,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ImportFormat.Xlsx,
                _ => null,
            },
        };

    /// <summary>The rows of the file; a CSV file in <paramref name="dialect"/>, detected when not given.</summary>
    public IEnumerable<ImportRecord> Read(Guid jobId, ImportFormat format, CsvDialect? dialect = null) =>
        format == ImportFormat.Csv ? ReadCsv(PathOf(jobId), dialect ?? DetectCsv(jobId)) : ReadXlsx(PathOf(jobId));

    internal static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>
    /// The encoding and delimiter of an uploaded CSV file. A byte order mark says UTF-8; otherwise the file is read
    /// as UTF-8 as long as its bytes are valid UTF-8, and as Windows-1252 (what Excel writes in Western Europe, and
    /// ISO-8859-1 for letters) from the first byte that is not. The whole file is scanned until then, because a
    /// spreadsheet's first umlaut can be thousands of rows in. The delimiter is the one of <c>,</c> <c>;</c> and tab
    /// that the header row holds most of, outside quotes (Excel in Germany writes <c>;</c>).
    /// </summary>
    public CsvDialect DetectCsv(Guid jobId)
    {
        using var file = new FileStream(PathOf(jobId), FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
        var head = new byte[3];
        var bom = file.Read(head, 0, 3) == 3 && head is [0xEF, 0xBB, 0xBF];
        file.Position = bom ? 3 : 0;
        var encoding = bom ? CsvDialect.Utf8WithBom : IsUtf8(file) ? CsvDialect.Utf8 : CsvDialect.Windows1252;
        file.Position = bom ? 3 : 0;
        using var reader = new StreamReader(file, encoding == CsvDialect.Windows1252 ? Windows1252 : new UTF8Encoding(false), false);
        return new CsvDialect(encoding, Delimiter(reader.ReadLine() ?? ""));
    }

    private static bool IsUtf8(Stream stream)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[81920];
        var chars = new char[81920];
        try
        {
            int read;
            while ((read = stream.Read(bytes, 0, bytes.Length)) > 0)
            {
                decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            }
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static char Delimiter(string header)
    {
        var counts = new Dictionary<char, int> { [','] = 0, [';'] = 0, ['\t'] = 0 };
        var quoted = false;
        foreach (var c in header)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && counts.ContainsKey(c))
            {
                counts[c]++;
            }
        }
        // A one-column file has none: a comma then, as the format's name says.
        return counts.MaxBy(c => c.Value) is { Value: > 0 } most ? most.Key : ',';
    }

    private static CsvConfiguration CsvOptions(CsvDialect dialect) => new(CultureInfo.InvariantCulture)
    {
        Delimiter = dialect.Delimiter.ToString(),
        BadDataFound = null,
        MissingFieldFound = null,
        TrimOptions = TrimOptions.Trim,
    };

    private static string[] CsvColumns(string path, CsvDialect dialect)
    {
        using var reader = new StreamReader(path, dialect.TextEncoding, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, CsvOptions(dialect));
        return csv.Read() && csv.ReadHeader() ? csv.HeaderRecord ?? [] : [];
    }

    private static IEnumerable<ImportRecord> ReadCsv(string path, CsvDialect dialect)
    {
        using var reader = new StreamReader(path, dialect.TextEncoding, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, CsvOptions(dialect));
        if (!csv.Read() || !csv.ReadHeader())
        {
            yield break;
        }
        var header = csv.HeaderRecord!;
        var row = 0;
        while (csv.Read())
        {
            var values = new Dictionary<string, string?>(header.Length);
            for (var i = 0; i < header.Length; i++)
            {
                values[header[i]] = i < csv.Parser.Count ? csv.Parser[i] : null;
            }
            yield return new ImportRecord(++row, values);
        }
    }

    private static IEnumerable<ImportRecord> ReadXlsx(string path)
    {
        var row = 0;
        foreach (IDictionary<string, object?> cells in MiniExcel.Query(path, useHeaderRow: true, excelType: ExcelType.XLSX))
        {
            var values = cells.ToDictionary(c => c.Key, c => Text(c.Value));
            if (values.Values.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            yield return new ImportRecord(++row, values);
        }
    }

    private static string? Text(object? cell) => cell switch
    {
        null => null,
        DateTime date => date.TimeOfDay == TimeSpan.Zero ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : date.ToString("O", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString(),
    };
}
