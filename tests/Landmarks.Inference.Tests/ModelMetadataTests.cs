using System.Text;
using System.Text.Json.Nodes;
using Landmarks.Imaging.IO;
using Landmarks.Inference.Model;

namespace Landmarks.Inference.Tests;

/// <summary>A model's metadata: its training record round-trips, and models written before the record was typed still load.</summary>
public class ModelMetadataTests
{
    private static ModelMetadata Metadata(TrainingRecord? training) =>
        new(2, "test", ["a", "b"], LocalizerConfig.Derive(2, 0.1, [190, 240]), ModelMetadata.Normalisation, "sha", null,
            [new LandmarkStage(true, 1.5), new LandmarkStage(false, 2.5)], null, null, training);

    private static ModelMetadata Parse(string json) => ModelMetadata.Parse(Encoding.UTF8.GetBytes(json), "model.lmk");

    [Fact]
    public void Training_record_round_trips_with_a_landmark_no_case_shows()
    {
        var record = new TrainingRecord(1200, 300, 1000, 2.25, 250, 1.4, 1.35,
            [new LandmarkRecord(1.9, 2.1, 1.2), new LandmarkRecord(2.4, double.NaN, null)]);
        var parsed = Parse(Metadata(record).ToJson()).Training!;
        Assert.Equal(record with { Landmarks = null }, parsed with { Landmarks = null });
        Assert.Equal(record.Landmarks, parsed.Landmarks);
    }

    [Fact]
    public void Model_of_an_earlier_version_with_a_string_keyed_summary_still_loads_without_a_record()
    {
        var json = JsonNode.Parse(Metadata(null).ToJson())!.AsObject();
        json.Remove("training");
        json["trainingSummary"] = new JsonObject { ["globalIterations"] = 12000, ["validationMreMm"] = 1.4 };
        var parsed = Parse(json.ToJsonString());
        Assert.Null(parsed.Training);
        Assert.Equal(["a", "b"], parsed.LandmarkNames);
        Assert.False(parsed.Stages![1].UseLocal);
        // It was validated with two local passes, the only way then.
        Assert.Null(parsed.LocalPasses);
        Assert.Equal(2, parsed.LocalPassesUsed);
        // Nor did it weigh its final estimates against the shape model.
        Assert.False(parsed.ShapeBlend);
        Assert.Null(parsed.Stages[0].FinalErrorMm);
    }

    [Fact]
    public void Shape_blend_round_trips_with_the_final_errors_and_is_refused_without_a_shape_model()
    {
        var shape = Landmarks.Inference.Shape.ShapeModel.Build(2, [[new(0, 0, 0), new(10, 0, 0)], [new(1, 0, 0), new(11, 1, 0)]]);
        var metadata = Metadata(null) with { Shape = shape, Stages = [new LandmarkStage(true, 1.5, 0.8), new LandmarkStage(false, 2.5, 2.5)], ShapeBlend = true };
        var parsed = Parse(metadata.ToJson());
        Assert.True(parsed.ShapeBlend);
        Assert.Equal(metadata.Stages, parsed.Stages);
        Assert.Contains("inconsistent", Assert.Throws<InvalidFileException>(() => Parse((metadata with { Shape = null }).ToJson())).Reason);
    }

    [Fact]
    public void Local_passes_chosen_in_training_round_trip_and_a_count_the_localizer_cannot_make_is_refused()
    {
        Assert.Equal(1, Parse((Metadata(null) with { LocalPasses = 1 }).ToJson()).LocalPassesUsed);
        Assert.Contains("inconsistent", Assert.Throws<InvalidFileException>(() => Parse((Metadata(null) with { LocalPasses = 3 }).ToJson())).Reason);
    }

    [Fact]
    public void Record_with_a_row_per_landmark_that_does_not_match_the_names_is_refused()
    {
        var record = TrainingRecord.Empty with { Landmarks = [new LandmarkRecord(1, null, null)] };
        Assert.Contains("inconsistent", Assert.Throws<InvalidFileException>(() => Parse(Metadata(record).ToJson())).Reason);
    }

    /// <summary>Every derived configuration is well inside the size bounds; networks or batches that would take gigabytes, and
    /// more global stages than a stride can be computed for, are refused by the configuration's check, which a model file's
    /// metadata goes through before any network is built.</summary>
    [Fact]
    public void Configurations_that_would_take_gigabytes_are_refused_before_anything_is_allocated()
    {
        foreach (var derived in new[] { LocalizerConfig.Derive(2, 0.1, [193.5, 240]), LocalizerConfig.Derive(3, 0.141, [25, 22, 20], 170),
            LocalizerConfig.Derive(3, 0.4, [204.8, 204.8, 240]), LocalizerConfig.Derive(2, 0.1, [190, 240], globalGridVoxels: 1000) })
            Assert.Empty(derived.Problems());
        var config = LocalizerConfig.Derive(3, 0.5, [60, 50, 40]);
        Assert.Contains("million weights", Assert.Single((config with { Global = config.Global with { Channels = [8, 16, 4096, 64] } }).Problems()));
        Assert.Contains("million weights", Assert.Single((config with { Local = config.Local with { Channels = [16, 2000] } }).Problems()));
        Assert.Contains("values per batch", Assert.Single((config with { Global = config.Global with { CropSize = [1024, 1024, 1024] } }).Problems()));
        Assert.Contains("values per batch", Assert.Single((config with { Local = config.Local with { BatchSize = 100000 } }).Problems()));
        Assert.Contains("2 to 8", Assert.Single((config with { Global = config.Global with { Channels = [.. Enumerable.Repeat(2, 33)], Blocks = [.. Enumerable.Repeat(1, 33)] } }).Problems()));
        var huge = Metadata(null) with { Config = config with { Global = config.Global with { Blocks = [1, 1, 100000, 1] } } };
        Assert.Contains("model configuration: global.channels and global.blocks make a network of", Assert.Throws<InvalidFileException>(() => Parse(huge.ToJson())).Reason);
    }

    /// <summary>A configuration written before weight averaging existed has no such field: it loads with averaging off,
    /// as it trained; a share outside [0, 1] is refused.</summary>
    [Fact]
    public void Weight_averaging_is_off_in_configurations_written_before_it_and_its_share_is_checked()
    {
        var config = LocalizerConfig.Derive(2, 0.1, [193.5, 240]) with { WeightAverageShare = 0.05 };
        Assert.Equal(0.05, LocalizerConfig.FromJson(config.ToJson(), "new.json").WeightAverageShare);
        var old = System.Text.Json.Nodes.JsonNode.Parse(config.ToJson())!.AsObject();
        Assert.True(old.Remove("weightAverageShare"));
        Assert.Equal(0, LocalizerConfig.FromJson(old.ToJsonString(), "old.json").WeightAverageShare);
        foreach (double bad in new[] { -0.1, 1.5, double.NaN })
            Assert.Contains("weightAverageShare must be in [0, 1]", Assert.Single((config with { WeightAverageShare = bad }).Problems()));
    }
}
