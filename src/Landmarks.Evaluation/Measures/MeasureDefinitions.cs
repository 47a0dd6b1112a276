using System.Text.Json;
using System.Text.Json.Serialization;
using Landmarks.Imaging.IO;

namespace Landmarks.Evaluation.Measures;

/// <summary>What a term of a measure computes from its landmarks.</summary>
public enum TermKind
{
    /// <summary>Points P, V, Q: the angle PVQ at V, 0 to 180 degrees.</summary>
    Angle,
    /// <summary>Points A, B: the signed angle of the direction A to B from the frame's forward direction, positive towards
    /// its downward side (a line tilted down at its front end has a positive inclination when drawn from back to front).</summary>
    Inclination,
    /// <summary>Points A, B: the distance between them, mm.</summary>
    Distance,
    /// <summary>Points A, B: how far B lies ahead of A along the frame's forward direction, mm (negative behind).</summary>
    Forward,
    /// <summary>Points A, B, C, D: the distance A-B over the distance C-D.</summary>
    Ratio,
}

/// <summary>One term of a measure: a kind, its landmarks by name, and the sign it enters the sum with.</summary>
public sealed record MeasureTerm(TermKind Kind, IReadOnlyList<string> Points, int Sign = 1);

/// <summary>A class of a measure's values: <c>[From, To]</c>, either end open when null.</summary>
public sealed record MeasureClass(string Name, double? From, double? To)
{
    public bool Contains(double value) => (From is not double low || value >= low) && (To is not double high || value <= high);
}

/// <summary>A clinical measure: <see cref="Offset"/> plus the sum of its terms, with its unit and the classes its values fall
/// into (the first class that contains a value is the value's class).</summary>
public sealed record MeasureDefinition(string Name, string Unit, IReadOnlyList<MeasureTerm> Terms, IReadOnlyList<MeasureClass> Classes, string Description = "", double Offset = 0);

/// <summary>The anatomical frame of 2D lateral views for inclinations and forward distances: forward from
/// <see cref="Back"/> to <see cref="Front"/> (the Frankfort horizontal: porion to orbitale), downward towards <see cref="Below"/>.</summary>
public sealed record MeasureFrame(string Back, string Front, string Below);

/// <summary>A set of measures over named landmarks, stored as JSON (<c>landmarks measure --definitions</c>).</summary>
public sealed record MeasureDefinitions(string Name, MeasureFrame Frame, IReadOnlyList<MeasureDefinition> Measures, string Source = "")
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The ISBI 2015 challenge's eight clinical measures and classes, shipped with the tool.</summary>
    public static MeasureDefinitions Isbi2015 { get; } = Parse(ReadResource("isbi2015-measures.json"), "isbi2015-measures.json (built in)");

    public static MeasureDefinitions Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static MeasureDefinitions Parse(string json, string source)
    {
        MeasureDefinitions? definitions;
        try
        {
            definitions = JsonSerializer.Deserialize<MeasureDefinitions>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(source, $"not a valid measure definitions file: {e.Message}", e);
        }
        if (definitions?.Frame is null || definitions.Measures is not { Count: > 0 }) throw new InvalidFileException(source, "needs a frame and at least one measure");
        foreach (var m in definitions.Measures)
        {
            if (string.IsNullOrWhiteSpace(m.Name) || m.Terms is not { Count: > 0 }) throw new InvalidFileException(source, "every measure needs a name and at least one term");
            foreach (var t in m.Terms)
            {
                int needed = t.Kind switch { TermKind.Angle => 3, TermKind.Ratio => 4, _ => 2 };
                if (t.Points is null || t.Points.Count != needed) throw new InvalidFileException(source, $"measure {m.Name}: a {t.Kind} term needs {needed} points");
                if (t.Sign is not (1 or -1)) throw new InvalidFileException(source, $"measure {m.Name}: a term's sign is 1 or -1");
            }
            if (m.Classes is null) throw new InvalidFileException(source, $"measure {m.Name}: 'classes' is needed (it may be empty)");
        }
        return definitions;
    }

    /// <summary>Every landmark name the definitions use.</summary>
    public IEnumerable<string> LandmarkNames =>
        Measures.SelectMany(m => m.Terms.SelectMany(t => t.Points)).Concat([Frame.Back, Frame.Front, Frame.Below]).Distinct();

    private static string ReadResource(string name)
    {
        using var stream = typeof(MeasureDefinitions).Assembly.GetManifestResourceStream($"Landmarks.Evaluation.Measures.{name}")
            ?? throw new InvalidOperationException($"resource {name} is missing from the build");
        return new StreamReader(stream).ReadToEnd();
    }
}
