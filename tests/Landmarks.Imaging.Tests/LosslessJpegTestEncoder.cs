namespace Landmarks.Imaging.Tests;

/// <summary>
/// Encodes greyscale samples as lossless JPEG (ITU-T T.81 process 14) for tests of the decoder: one
/// Huffman table giving every difference category a 5-bit code, any of the seven predictors, a point
/// transform, and optional restart intervals (whole lines, as lossless mode requires).
/// </summary>
internal static class LosslessJpegTestEncoder
{
    public static byte[] Encode(int[] samples, int width, int height, int precision, int predictor, int pointTransform = 0, int restartLines = 0)
    {
        var output = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body)
        {
            output.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            output.AddRange(body);
        }
        // 17 symbols (categories 0..16), all with 5-bit codes: code of category c is c.
        var bits = new byte[16];
        bits[4] = 17;
        Segment(0xC4, [0x00, .. bits, .. Enumerable.Range(0, 17).Select(c => (byte)c)]);
        Segment(0xC3, (byte)precision, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0);
        if (restartLines > 0) Segment(0xDD, (byte)((restartLines * width) >> 8), (byte)(restartLines * width));
        Segment(0xDA, 1, 1, 0x00, (byte)predictor, 0, (byte)pointTransform);

        var reduced = samples.Select(v => v >> pointTransform).ToArray();
        int accumulator = 0, count = 0, restarts = 0;
        void Put(int value, int length)
        {
            for (int n = length - 1; n >= 0; n--)
            {
                accumulator = accumulator << 1 | (value >> n) & 1;
                if (++count == 8) Flush();
            }
        }
        void Flush()
        {
            output.Add((byte)accumulator);
            if (accumulator == 0xFF) output.Add(0x00);
            accumulator = 0;
            count = 0;
        }
        bool firstLine = true;
        for (int y = 0; y < height; y++)
        {
            if (restartLines > 0 && y > 0 && y % restartLines == 0)
            {
                if (count > 0) Put(0x7F, 8 - count);  // pad with 1 bits
                output.AddRange([0xFF, (byte)(0xD0 + restarts++ % 8)]);
                firstLine = true;
            }
            for (int x = 0; x < width; x++)
            {
                int n = y * width + x;
                int a = x > 0 ? reduced[n - 1] : 0, b = y > 0 ? reduced[n - width] : 0, c = x > 0 && y > 0 ? reduced[n - width - 1] : 0;
                int prediction = (x, firstLine) switch
                {
                    (0, true) => 1 << (precision - pointTransform - 1),
                    (_, true) => a,
                    (0, false) => b,
                    _ => predictor switch { 1 => a, 2 => b, 3 => c, 4 => a + b - c, 5 => a + ((b - c) >> 1), 6 => b + ((a - c) >> 1), _ => (a + b) >> 1 },
                };
                int difference = (reduced[n] - prediction) & 0xFFFF;
                if (difference > 32768) difference -= 65536;
                int category = difference == 0 ? 0 : difference == 32768 ? 16 : 32 - int.LeadingZeroCount(Math.Abs(difference));
                Put(category, 5);
                if (category is > 0 and < 16) Put(difference > 0 ? difference : difference - 1, category);
            }
            firstLine = false;
        }
        if (count > 0) Put(0x7F, 8 - count);
        output.AddRange([0xFF, 0xD9]);
        return [.. output];
    }
}
