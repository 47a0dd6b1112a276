using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Landmarks.Imaging.IO;
using Landmarks.Learning.Networks;
using Landmarks.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Model;

/// <summary>What a model file says about itself.</summary>
public sealed record ModelMetadata(
    int FormatVersion,
    string ToolVersion,
    IReadOnlyList<string> LandmarkNames,
    LocalizerConfig Config,
    string IntensityNormalisation,
    string TrainingManifestSha256,
    IReadOnlyDictionary<string, double> TrainingSummary);

/// <summary>
/// The trained localizer: a global network and one local network per landmark, with their metadata.
/// One file: a magic line, the metadata as JSON, each network's weights, and a SHA-256 of all that.
/// Loading checks the checksum and the metadata before building the networks from the configuration;
/// no code from the file runs.
/// </summary>
public sealed class LocalizerModel : IDisposable
{
    public const int FormatVersion = 1;
    public const string Normalisation = "percentiles 0.5..99.5 -> 0..1, per stage image";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("LANDMARKS-MODEL\n");
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public LocalizerModel(ModelMetadata metadata, GlobalNetwork global, IReadOnlyList<LocalNetwork> locals)
    {
        Metadata = metadata;
        Global = global;
        Locals = locals;
    }

    public ModelMetadata Metadata { get; }
    public GlobalNetwork Global { get; }
    public IReadOnlyList<LocalNetwork> Locals { get; }
    public IReadOnlyList<string> LandmarkNames => Metadata.LandmarkNames;
    public LocalizerConfig Config => Metadata.Config;

    public static string ToolVersion => typeof(LocalizerModel).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Fresh networks for a configuration, initialised from TorchSharp's current random state.</summary>
    public static LocalizerModel Create(ModelMetadata metadata)
    {
        var config = metadata.Config;
        var global = new GlobalNetwork(config.Dimension, metadata.LandmarkNames.Count, config.Global.Shape);
        var locals = metadata.LandmarkNames.Select(_ => new LocalNetwork(config.Dimension, config.Local.Channels)).ToList();
        return new LocalizerModel(metadata, global, locals);
    }

    public LocalizerModel WithMetadata(ModelMetadata metadata) => new(metadata, Global, Locals);

    public IEnumerable<nn.Module> Networks => [Global, .. Locals];

    public void To(Device device)
    {
        foreach (var network in Networks) network.to(device);
    }

    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Metadata, Json));
            writer.Write(json.Length);
            writer.Write(json);
            var networks = Networks.ToList();
            writer.Write(networks.Count);
            foreach (var network in networks)
            {
                var weights = new MemoryStream();
                using (var weightWriter = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true)) network.save(weightWriter);
                writer.Write(weights.Length);
                writer.Write(weights.GetBuffer(), 0, (int)weights.Length);
            }
        }
        var bytes = body.ToArray();
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    });

    public static LocalizerModel Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "model file not found");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidFileException(path, "not a landmarks model file");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidFileException(path, "model file is corrupt: checksum mismatch");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            reader.ReadBytes(Magic.Length);
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidFileException(path, $"model format version {version}; this tool ({ToolVersion}) reads version {FormatVersion}");
            var metadata = JsonSerializer.Deserialize<ModelMetadata>(reader.ReadBytes(reader.ReadInt32()), Json)
                ?? throw new InvalidFileException(path, "model metadata is empty");
            if (metadata.LandmarkNames.Count == 0 || metadata.Config.Dimension is not (2 or 3))
                throw new InvalidFileException(path, "model metadata is inconsistent");
            var model = Create(metadata);
            int count = reader.ReadInt32();
            var networks = model.Networks.ToList();
            if (count != networks.Count) throw new InvalidFileException(path, $"model holds {count} networks, its metadata describes {networks.Count}");
            foreach (var network in networks)
            {
                long length = reader.ReadInt64();
                using var weights = new BinaryReader(new MemoryStream(reader.ReadBytes(checked((int)length))));
                network.load(weights, strict: true);
            }
            if (device is not null) model.To(device);
            foreach (var network in model.Networks) network.eval();
            return model;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new InvalidFileException(path, $"model file does not match its description: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        foreach (var network in Networks) network.Dispose();
    }
}
