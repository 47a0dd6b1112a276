namespace Landmarks.Imaging.IO;

/// <summary>Copies a stream whose length is only claimed (a size field, a compressed stream) into memory without trusting
/// the claim with an allocation: the buffer grows with what really arrives, and the copy stops past a bound.</summary>
public static class BoundedCopy
{
    /// <summary>Appends <paramref name="source"/> to <paramref name="destination"/> until the source ends (true) or the
    /// destination would hold more than <paramref name="maxLength"/> bytes (false, with at most that many written).</summary>
    public static bool TryAppend(Stream source, MemoryStream destination, long maxLength)
    {
        var chunk = new byte[1 << 16];
        for (int read; (read = source.Read(chunk)) > 0;)
        {
            if (destination.Length + read > maxLength) return false;
            destination.Write(chunk, 0, read);
        }
        return true;
    }
}
