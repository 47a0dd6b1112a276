using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Landmarks.Imaging.IO;
using Landmarks.Inference.Model;
using Landmarks.Inference.Shape;
using Landmarks.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Landmarks.Learning.Model;

/// <summary>
/// The localizer's networks on TorchSharp with their metadata and appearance template: what training makes and
/// the model file (.lmk) holds. One file: a magic line, the metadata as JSON, each network's weights, the template,
/// and a SHA-256 of all that. Loading checks the checksum and the metadata before building the networks from the
/// configuration; no code from the file runs. <see cref="ToInference"/> gives the engine-free model the
/// <see cref="Landmarks.Inference.Localizer"/> runs.
/// </summary>
public sealed class TorchModel : IDisposable
{
    /// <summary>2: one local network with a head per landmark, typed stage choices, a shape model and a template (version
    /// 1 had a local network per landmark and kept its choices in the training summary).</summary>
    public const int FormatVersion = 2;
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("LANDMARKS-MODEL\n");

    public TorchModel(ModelMetadata metadata, GlobalNetwork global, LocalNetwork local, AppearanceTemplate? template = null)
    {
        Metadata = metadata;
        Global = global;
        Local = local;
        Template = template;
    }

    public ModelMetadata Metadata { get; }
    public GlobalNetwork Global { get; }
    public LocalNetwork Local { get; }
    /// <summary>The average appearance the pose search compares orientations with; only models with pose search have one.</summary>
    public AppearanceTemplate? Template { get; }
    public IReadOnlyList<string> LandmarkNames => Metadata.LandmarkNames;
    public LocalizerConfig Config => Metadata.Config;

    public static string ToolVersion => typeof(TorchModel).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Fresh networks for a configuration, initialised from TorchSharp's current random state.</summary>
    public static TorchModel Create(ModelMetadata metadata)
    {
        var config = metadata.Config;
        var global = new GlobalNetwork(config.Dimension, metadata.LandmarkNames.Count, config.Global.Shape);
        var local = new LocalNetwork(config.Dimension, config.Local.Channels, metadata.LandmarkNames.Count);
        return new TorchModel(metadata, global, local);
    }

    public TorchModel WithMetadata(ModelMetadata metadata) => new(metadata, Global, Local, Template);

    public TorchModel WithTemplate(AppearanceTemplate? template) => new(Metadata, Global, Local, template);

    public IEnumerable<nn.Module> Networks => [Global, Local];

    /// <summary>The engine-free model over these networks, run on <paramref name="device"/>; it does not own them (dispose
    /// this model when done).</summary>
    public LocalizerModel ToInference(Device device) => new(Metadata, new TorchPatchNetwork(Global, device), new TorchPatchNetwork(Local, device), Template);

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
            var json = Encoding.UTF8.GetBytes(Metadata.ToJson());
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
            writer.Write(Template is not null);
            if (Template is not null)
            {
                writer.Write(Template.Size.Length);
                foreach (int n in Template.Size) writer.Write(n);
                writer.Write(Template.SpacingMm);
                writer.Write(Template.Voxels.Length);
                foreach (float v in Template.Voxels) writer.Write(v);
            }
        }
        var bytes = body.ToArray();
        stream.Write(bytes);
        stream.Write(SHA256.HashData(bytes));
    });

    public static TorchModel Load(string path, Device? device = null)
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
                throw new InvalidFileException(path, $"model format version {version}; this tool ({ToolVersion}) reads version {FormatVersion}" +
                    (version < FormatVersion ? ": the model was written by an earlier version of landmarks, train it again" : ""));
            var metadata = ModelMetadata.Parse(ReadBlock(reader, reader.ReadInt32(), path, "metadata"), path);
            var model = Create(metadata);
            int count = reader.ReadInt32();
            var networks = model.Networks.ToList();
            if (count != networks.Count) throw new InvalidFileException(path, $"model holds {count} networks, its metadata describes {networks.Count}");
            foreach (var network in networks)
            {
                long length = reader.ReadInt64();
                using var weights = new BinaryReader(new MemoryStream(ReadBlock(reader, length, path, "network weights")));
                network.load(weights, strict: true);
            }
            if (reader.ReadBoolean())
            {
                int dimensions = reader.ReadInt32();
                if (dimensions != metadata.Config.Dimension) throw new InvalidFileException(path, "model template does not match its dimension");
                var size = Enumerable.Range(0, dimensions).Select(_ => reader.ReadInt32()).ToArray();
                double spacing = reader.ReadDouble();
                int length = reader.ReadInt32();
                if (size.Any(n => n < 1) || length != size.Aggregate(1L, (a, b) => a * b) || !(spacing > 0))
                    throw new InvalidFileException(path, "model template is inconsistent");
                var block = ReadBlock(reader, (long)length * sizeof(float), path, "template");
                var voxels = new float[length];
                for (int n = 0; n < length; n++) voxels[n] = BinaryPrimitives.ReadSingleLittleEndian(block.AsSpan(n * sizeof(float)));
                model = model.WithTemplate(new AppearanceTemplate(size, spacing, voxels));
            }
            if (device is not null) model.To(device);
            foreach (var network in model.Networks) network.eval();
            return model;
        }
        // TorchSharp's reader of the weights reports bytes it cannot parse as FormatException (a length prefix of more than 5 bytes).
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or InvalidOperationException or OverflowException or FormatException)
        {
            throw new InvalidFileException(path, $"model file does not match its description: {e.Message}", e);
        }
    }

    /// <summary>A block whose length the file claims, refused before any allocation when the file holds less: a model
    /// file with a valid checksum can still claim gigabytes.</summary>
    private static byte[] ReadBlock(BinaryReader reader, long length, string path, string what)
    {
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidFileException(path, $"the model's {what} would take {length} bytes, more than the file holds");
        return reader.ReadBytes((int)length);
    }

    public void Dispose()
    {
        foreach (var network in Networks) network.Dispose();
    }
}
