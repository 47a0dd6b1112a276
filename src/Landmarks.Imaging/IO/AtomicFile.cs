namespace Landmarks.Imaging.IO;

/// <summary>
/// Writes a file through a temporary sibling and a rename, so an interrupted write never leaves a
/// half-written file where a good one was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        // A full disk fails the write with an IOException; a file-size limit (EFBIG) surfaces in .NET as an
        // ArgumentOutOfRangeException of the stream's length.
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException { ParamName: "value" })
        {
            File.Delete(temporary);
            throw new IOException($"{fullPath}: not written, the file system refused it ({e.Message}); any earlier file there is unchanged", e);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
}
