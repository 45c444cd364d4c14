namespace CrmPlatform.AppHost;

/// <summary>Files holding secrets: readable by their owner only, from the moment they exist.</summary>
internal static class PrivateFile
{
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(content);
        }

        // A file created earlier keeps its mode under FileMode.Create; make sure.
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
