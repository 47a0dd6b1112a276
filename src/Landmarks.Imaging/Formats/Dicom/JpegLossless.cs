using Landmarks.Imaging.IO;

namespace Landmarks.Imaging.Formats.Dicom;

/// <summary>
/// Lossless JPEG (ITU-T T.81, process 14: SOF3, Huffman-coded differences from one of seven predictors),
/// one greyscale component, 2 to 16 bits: what DICOM's transfer syntaxes 1.2.840.10008.1.2.4.57 and .70
/// carry, and what many radiographs are stored as.
/// </summary>
internal static class JpegLossless
{
    public sealed record Decoded(int Width, int Height, int Precision, uint[] Samples);

    public static Decoded Decode(byte[] data, string path)
    {
        var tables = new HuffmanTable?[4];
        int precision = 0, width = 0, height = 0, restartInterval = 0, position = 2;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) throw Bad(path, "no JPEG start-of-image marker");
        while (true)
        {
            while (position < data.Length && data[position] == 0xFF && position + 1 < data.Length && data[position + 1] == 0xFF) position++;
            if (position + 4 > data.Length || data[position] != 0xFF) throw Bad(path, "JPEG data ends before its image");
            byte marker = data[position + 1];
            int length = data[position + 2] << 8 | data[position + 3];
            int segment = position + 4;
            if (segment + length - 2 > data.Length) throw Bad(path, "a JPEG segment runs past the end of the data");
            switch (marker)
            {
                case 0xC4:
                    for (int at = segment; at < segment + length - 2;)
                    {
                        int id = data[at] & 0x0F;
                        if (id > 3) throw Bad(path, $"JPEG Huffman table {id}");
                        tables[id] = HuffmanTable.Read(data, at + 1, path, out at);
                    }
                    break;
                case 0xC3:
                    precision = data[segment];
                    height = data[segment + 1] << 8 | data[segment + 2];
                    width = data[segment + 3] << 8 | data[segment + 4];
                    if (data[segment + 5] != 1) throw Bad(path, $"lossless JPEG with {data[segment + 5]} components (only greyscale is read)");
                    if (precision is < 2 or > 16 || width == 0 || height == 0) throw Bad(path, $"lossless JPEG of {width}x{height} samples of {precision} bits");
                    break;
                case >= 0xC0 and <= 0xCF when marker is not (0xC4 or 0xC8 or 0xCC):
                    throw Bad(path, $"JPEG frame type 0x{marker:X2} is not lossless process 14 (SOF3)");
                case 0xDD:
                    restartInterval = data[segment] << 8 | data[segment + 1];
                    break;
                case 0xDA:
                    if (precision == 0) throw Bad(path, "JPEG scan before its frame header");
                    int table = data[segment + 2] >> 4;
                    int predictor = data[segment + 3];
                    int pointTransform = data[segment + 5] & 0x0F;
                    if (predictor is < 1 or > 7) throw Bad(path, $"lossless JPEG predictor {predictor}");
                    var huffman = tables[table] ?? throw Bad(path, $"JPEG scan uses Huffman table {table}, which is not defined");
                    var samples = DecodeScan(data, segment + length - 2, width, height, precision, predictor, pointTransform, restartInterval, huffman, path);
                    return new Decoded(width, height, precision, samples);
            }
            position = segment + length - 2;
        }
    }

    private static uint[] DecodeScan(byte[] data, int start, int width, int height, int precision, int predictor, int pointTransform,
        int restartInterval, HuffmanTable huffman, string path)
    {
        var values = new int[width * height];
        var bits = new BitReader(data, start, path);
        int mask = (1 << 16) - 1, sinceRestart = 0;
        bool firstLine = true;
        for (int y = 0; y < height; y++)
        {
            if (restartInterval > 0 && sinceRestart > 0 && sinceRestart % restartInterval == 0)
            {
                // Restart intervals span whole lines in lossless mode; after one, prediction starts afresh.
                bits.Restart();
                firstLine = true;
            }
            for (int x = 0; x < width; x++)
            {
                int n = y * width + x;
                int prediction;
                if (x == 0 && firstLine) prediction = 1 << (precision - pointTransform - 1);
                else if (firstLine) prediction = values[n - 1];
                else if (x == 0) prediction = values[n - width];
                else
                {
                    int a = values[n - 1], b = values[n - width], c = values[n - width - 1];
                    prediction = predictor switch
                    {
                        1 => a,
                        2 => b,
                        3 => c,
                        4 => a + b - c,
                        5 => a + ((b - c) >> 1),
                        6 => b + ((a - c) >> 1),
                        _ => (a + b) >> 1,
                    };
                }
                values[n] = (prediction + Difference(ref bits, huffman, path)) & mask;
            }
            firstLine = false;
            sinceRestart += width;
        }
        var samples = new uint[values.Length];
        for (int n = 0; n < values.Length; n++) samples[n] = (uint)values[n] << pointTransform;
        return samples;
    }

    private static int Difference(ref BitReader bits, HuffmanTable huffman, string path)
    {
        int category = huffman.DecodeSymbol(ref bits);
        if (category == 0) return 0;
        if (category == 16) return 32768;
        if (category > 16) throw Bad(path, $"lossless JPEG difference category {category}");
        int value = bits.Read(category);
        return value < 1 << (category - 1) ? value - (1 << category) + 1 : value;
    }

    private static InvalidFileException Bad(string path, string reason) => new(path, $"cannot decode the DICOM pixel data: {reason}");

    /// <summary>Canonical Huffman decoding tables (T.81 F.2.2.3).</summary>
    private sealed class HuffmanTable
    {
        private readonly int[] _maxCode = new int[18];
        private readonly int[] _minCode = new int[17];
        private readonly int[] _valuePointer = new int[17];
        private byte[] _values = [];

        public static HuffmanTable Read(byte[] data, int at, string path, out int end)
        {
            var table = new HuffmanTable();
            if (at < 0 || at + 16 > data.Length) throw Bad(path, "a JPEG Huffman table runs past the end of the data");
            int total = 0;
            for (int l = 1; l <= 16; l++) total += data[at + l - 1];
            if (at + 16 + total > data.Length) throw Bad(path, "a JPEG Huffman table runs past the end of the data");
            table._values = data[(at + 16)..(at + 16 + total)];
            int code = 0, k = 0;
            for (int l = 1; l <= 16; l++)
            {
                int count = data[at + l - 1];
                table._valuePointer[l] = k;
                table._minCode[l] = code;
                code += count;
                k += count;
                table._maxCode[l] = count > 0 ? code - 1 : -1;
                code <<= 1;
            }
            table._maxCode[17] = int.MaxValue;
            end = at + 16 + total;
            return table;
        }

        public int DecodeSymbol(ref BitReader bits)
        {
            int code = bits.Read(1), length = 1;
            while (code > _maxCode[length])
            {
                code = code << 1 | bits.Read(1);
                if (++length > 16) throw Bad(bits.Path, "invalid JPEG Huffman code");
            }
            return _values[_valuePointer[length] + code - _minCode[length]];
        }
    }

    /// <summary>Bits of the entropy-coded segment, most significant first, with stuffed zero bytes removed.</summary>
    private struct BitReader(byte[] data, int position, string path)
    {
        private int _position = position;
        private int _buffer;
        private int _count;

        public readonly string Path => path;

        public int Read(int count)
        {
            int value = 0;
            for (int n = 0; n < count; n++)
            {
                if (_count == 0) Fill();
                _count--;
                value = value << 1 | (_buffer >> _count) & 1;
            }
            return value;
        }

        private void Fill()
        {
            if (_position >= data.Length) throw Bad(path, "JPEG entropy-coded data ends early");
            int b = data[_position];
            if (b == 0xFF)
            {
                int next = _position + 1 < data.Length ? data[_position + 1] : 0xD9;
                // A marker where data should be: the data ran out; T.81 has the decoder read zeros.
                if (next != 0x00) { _buffer = 0; _count = 8; return; }
                _position++;
            }
            _position++;
            _buffer = b;
            _count = 8;
        }

        /// <summary>Drops the rest of the current byte and steps over the RSTn marker that must follow.</summary>
        public void Restart()
        {
            _count = 0;
            while (_position + 1 < data.Length && !(data[_position] == 0xFF && data[_position + 1] is >= 0xD0 and <= 0xD7)) _position++;
            _position += 2;
        }
    }
}
