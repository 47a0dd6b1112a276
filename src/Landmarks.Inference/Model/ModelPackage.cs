using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Landmarks.Imaging.IO;
using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Model;

/// <summary>
/// An exported model for engines other than the trainer's: one zip file holding <c>landmarks-model.json</c> (the
/// metadata of <see cref="ModelMetadata"/>, the engine and format of the networks, and the SHA-256 of every other
/// entry), each network's graph (<c>global.onnx</c>, <c>local.onnx</c>) and the appearance template of the pose
/// search (<c>template.f32</c>, little-endian floats). Loading checks every checksum before anything is used.
/// </summary>
public sealed record ModelPackage(ModelMetadata Metadata, string NetworkFormat, byte[] GlobalNetwork, byte[] LocalNetwork, AppearanceTemplate? Template)
{
    public const int FormatVersion = 1;
    private const string ManifestEntry = "landmarks-model.json";
    private static readonly byte[] ZipMagic = [(byte)'P', (byte)'K', 3, 4];

    /// <summary>Whether a file looks like a package (a zip archive), so that a command can pick its engine by itself.</summary>
    public static bool IsPackage(string path)
    {
        if (!File.Exists(path)) return false;
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return file.Read(head) == 4 && head.SequenceEqual(ZipMagic);
    }

    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        var files = new Dictionary<string, byte[]> { ["global.onnx"] = GlobalNetwork, ["local.onnx"] = LocalNetwork };
        if (Template is not null)
        {
            var bytes = new byte[Template.Voxels.Length * sizeof(float)];
            Buffer.BlockCopy(Template.Voxels, 0, bytes, 0, bytes.Length);
            files["template.f32"] = bytes;
        }
        var manifest = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["networkFormat"] = NetworkFormat,
            ["metadata"] = JsonNode.Parse(Metadata.ToJson()),
            ["template"] = Template is null ? null : new JsonObject
            {
                ["size"] = new JsonArray([.. Template.Size.Select(n => (JsonNode)n)]),
                ["spacingMm"] = Template.SpacingMm,
            },
            ["sha256"] = new JsonObject(files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)Hash(f.Value)))),
        };
        Write(zip, ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        foreach (var (name, bytes) in files) Write(zip, name, bytes);
    });

    public static ModelPackage Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "model file not found");
        try
        {
            using var zip = ZipFile.OpenRead(path);
            byte[] Read(string name)
            {
                var entry = zip.GetEntry(name) ?? throw new InvalidFileException(path, $"exported model has no {name}");
                if (entry.Length > int.MaxValue) throw new InvalidFileException(path, $"exported model entry {name} is too large");
                // The size field is not trusted with an allocation (a damaged one claimed gigabytes in a 1 KB file, found by
                // fuzzing): the buffer grows with what the entry really holds, which deflate bounds by the file's size.
                using var stream = entry.Open();
                using var bytes = new MemoryStream();
                if (!BoundedCopy.TryAppend(stream, bytes, entry.Length)) throw new InvalidFileException(path, $"exported model entry {name} holds more than its size says");
                if (bytes.Length != entry.Length) throw new InvalidFileException(path, $"exported model entry {name} holds less than its size says");
                return bytes.ToArray();
            }
            var manifest = JsonNode.Parse(Read(ManifestEntry)) as JsonObject ?? throw new InvalidFileException(path, $"{ManifestEntry} is not a JSON object");
            int version = manifest["formatVersion"]?.GetValue<int>() ?? 0;
            if (version != FormatVersion) throw new InvalidFileException(path, $"exported model format version {version}; this tool reads version {FormatVersion}");
            var hashes = manifest["sha256"] as JsonObject ?? throw new InvalidFileException(path, "exported model lists no checksums");
            byte[] Checked(string name)
            {
                var bytes = Read(name);
                if (hashes[name]?.GetValue<string>() != Hash(bytes)) throw new InvalidFileException(path, $"exported model is corrupt: checksum mismatch in {name}");
                return bytes;
            }
            var metadata = ModelMetadata.Parse(Encoding.UTF8.GetBytes(manifest["metadata"]?.ToJsonString() ?? "null"), path);
            AppearanceTemplate? template = null;
            if (manifest["template"] is JsonObject t)
            {
                var size = (t["size"] as JsonArray ?? []).Select(n => n!.GetValue<int>()).ToArray();
                double spacing = t["spacingMm"]?.GetValue<double>() ?? 0;
                var bytes = Checked("template.f32");
                if (size.Length != metadata.Config.Dimension || size.Any(n => n < 1) || !(spacing > 0) || bytes.Length != size.Aggregate(1L, (a, b) => a * b) * sizeof(float))
                    throw new InvalidFileException(path, "exported model's template is inconsistent");
                var voxels = new float[bytes.Length / sizeof(float)];
                Buffer.BlockCopy(bytes, 0, voxels, 0, bytes.Length);
                template = new AppearanceTemplate(size, spacing, voxels);
            }
            return new ModelPackage(metadata, manifest["networkFormat"]?.GetValue<string>() ?? "", Checked("global.onnx"), Checked("local.onnx"), template);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or InvalidOperationException or FormatException or EndOfStreamException)
        {
            throw new InvalidFileException(path, $"not a valid exported model: {e.Message}", e);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        entry.Write(bytes);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}
