using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.Images;
using Landmarks.Imaging.IO;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

public class DatasetTests
{
    [Fact]
    public void Isbi_import_gives_a_manifest_that_loads_every_case()
    {
        using var dir = new TempDirectory();
        var split = Assert.Single(Isbi2015.Import(Fixtures.MakeMiniIsbi(dir, 3)));
        Assert.Equal("train", split.Split);
        split.Manifest.Save(dir.File("isbi.json"));
        var manifest = DatasetManifest.Load(dir.File("isbi.json"));
        Assert.Equal(3, manifest.Cases.Count);
        Assert.Equal("001", manifest.Cases[0].Id);
        Assert.Equal(19, manifest.LandmarkNames.Count);
        var loaded = manifest.LoadCase(manifest.Cases[1]);
        Assert.Equal(new Vec3(0.1, 0.1, 1), loaded.Image.Geometry.SpacingMm);
        Assert.Equal("sella", loaded.Reference.Landmarks[0].Name);
        Assert.Equal(new WorldMm(0.2, 0, 0), loaded.Reference.Landmarks[0].PositionMm);
        Assert.Equal(0.3, loaded.SecondObserver!.Landmarks[0].PositionMm!.Value.X, 10);
        var report = DatasetCheckReport.Run(manifest);
        Assert.True(report.Passed);
        // Landmark 18 sits at column 20, row 18: inside a 40x30 image; none are outside.
        Assert.All(report.Readable, s => Assert.Empty(s.Outside));
    }

    [Fact]
    public void Dataset_check_reports_unreadable_cases_and_landmarks_outside()
    {
        using var dir = new TempDirectory();
        var g = ImageGeometry.Simple(new GridSize(10, 10, 4), Vec3.One);
        ImageFile.Write(Image.Filled(g, 1), dir.File("a.nrrd"));
        LandmarkFile.Write(new LandmarkSet([new Landmark("p", new WorldMm(2, 2, 2)), new Landmark("q", new WorldMm(20, 2, 2))]), dir.File("a.csv"));
        File.WriteAllText(dir.File("b.nrrd"), "garbage");
        LandmarkFile.Write(new LandmarkSet([new Landmark("p", new WorldMm(1, 1, 1))]), dir.File("b.csv"));
        var manifest = new DatasetManifest("t", ["p", "q"], [new DatasetCase("a", "a.nrrd", "a.csv"), new DatasetCase("b", "b.nrrd", "b.csv")]) { BaseDirectory = dir.Path };
        var report = DatasetCheckReport.Run(manifest);
        Assert.False(report.Passed);
        Assert.Equal(["q"], Assert.Single(report.Readable).Outside);
        Assert.Contains("not a NRRD", Assert.Single(report.Errors));
    }

    [Fact]
    public void Landmark_count_that_does_not_match_the_manifest_is_refused()
    {
        using var dir = new TempDirectory();
        ImageFile.Write(Image.Filled(ImageGeometry.Simple(new GridSize(4, 4, 4), Vec3.One)), dir.File("a.nrrd"));
        LandmarkFile.Write(new LandmarkSet([new Landmark("p", new WorldMm(1, 1, 1))]), dir.File("a.csv"));
        var manifest = new DatasetManifest("t", ["p", "q"], [new DatasetCase("a", "a.nrrd", "a.csv")]) { BaseDirectory = dir.Path };
        var e = Assert.Throws<InvalidFileException>(() => manifest.LoadCase(manifest.Cases[0]));
        Assert.Contains("1 landmarks where 2 are expected", e.Reason);
    }

    [Fact]
    public void Builder_pairs_files_by_name_and_takes_names_from_the_first_file()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("img"));
        Directory.CreateDirectory(dir.File("lm"));
        var g = ImageGeometry.Simple(new GridSize(4, 4, 4), Vec3.One);
        foreach (var id in new[] { "c1", "c2", "c3" }) ImageFile.Write(Image.Filled(g), Path.Combine(dir.File("img"), id + ".nii.gz"));
        foreach (var id in new[] { "c1", "c2", "c9" }) LandmarkFile.Write(new LandmarkSet([new Landmark("tip", new WorldMm(1, 1, 1))]), Path.Combine(dir.File("lm"), id + ".mrk.json"));
        var result = DatasetBuilder.Create("mine", dir.File("img"), dir.File("lm"), null, null, null);
        Assert.Equal(["c1", "c2"], result.Manifest.Cases.Select(c => c.Id));
        Assert.Equal(["tip"], result.Manifest.LandmarkNames);
        Assert.Equal(2, result.Unpaired.Count);
        result.Manifest.Save(dir.File("mine.json"));
        Assert.True(DatasetCheckReport.Run(DatasetManifest.Load(dir.File("mine.json"))).Passed);
    }

    [Fact]
    public void Manifest_with_duplicate_case_ids_is_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("m.json"), """{"name": "x", "landmarkNames": ["a"], "cases": [{"id": "1", "image": "a.nii", "landmarks": "a.csv"}, {"id": "1", "image": "b.nii", "landmarks": "b.csv"}]}""");
        var e = Assert.Throws<InvalidFileException>(() => DatasetManifest.Load(dir.File("m.json")));
        Assert.Contains("case id '1' appears 2 times", e.Reason);
    }

    [Fact]
    public void Observer_mean_reference_is_the_midpoint_and_the_second_observer_swaps_the_two()
    {
        using var dir = new TempDirectory();
        var split = Assert.Single(Isbi2015.Import(Fixtures.MakeMiniIsbi(dir, 2)));
        split.Manifest.Save(dir.File("isbi.json"));
        var source = DatasetManifest.Load(dir.File("isbi.json"));
        // Case 002, landmark k: the senior at pixel (k + 2, k), the junior one pixel right; 0.1 mm pixels.
        var mean = ObserverReferences.Write(source, ObserverReference.Mean, dir.File("mean"));
        var meanCase = mean.LoadCase(mean.Cases[1]);
        var midpoint = meanCase.Reference.Landmarks[5].PositionMm!.Value;
        Assert.Equal((0.75, 0.5, 0.0), (Math.Round(midpoint.X, 9), Math.Round(midpoint.Y, 9), Math.Round(midpoint.Z, 9)));
        Assert.Null(meanCase.SecondObserver);
        Assert.Equal(source.LoadCase(source.Cases[1]).Image.Geometry, meanCase.Image.Geometry);
        var second = ObserverReferences.Write(source, ObserverReference.Second, dir.File("second"));
        var swapped = second.LoadCase(second.Cases[1]);
        Assert.Equal(0.8, swapped.Reference.Landmarks[5].PositionMm!.Value.X, 9);
        Assert.Equal(0.7, swapped.SecondObserver!.Landmarks[5].PositionMm!.Value.X, 9);
    }

    [Fact]
    public void Observer_reference_of_a_case_without_a_second_observer_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        var source = Phantoms.WriteDataset(dir.File("one"), "one", 2, 2, 3);
        var e = Assert.Throws<InvalidFileException>(() => ObserverReferences.Write(source, ObserverReference.Mean, dir.File("mean")));
        Assert.Contains("has no second observer", e.Reason);
    }
}
