using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Datasets;
using Landmarks.Imaging.Formats;
using Landmarks.Imaging.Geometry;
using Landmarks.Tests;

namespace Landmarks.Imaging.Tests;

/// <summary>Checks on the public data in ../shared/data; skipped where it is absent.</summary>
public class RealDataTests
{
    [SkippableFact]
    public void Mouse_skull_ct_has_the_header_geometry_and_every_markup_inside()
    {
        var image = ImageFile.Read(SharedData.Require("mouse-skull-ct/A_J_.nrrd"));
        var g = image.Geometry;
        Assert.Equal(new GridSize(176, 320, 128), g.Size);
        Assert.Equal(0.070556700229644803, g.SpacingMm.X, 12);
        Assert.Equal(new WorldMm(-3.0515799522399902, -2.6987900733947763, 3.2279698848724365), g.OriginMm);
        Assert.Equal(new Vec3(-1, 0, 0), g.Direction.Column(0));
        Assert.Equal(new Vec3(0, -1, 0), g.Direction.Column(1));

        var markups = LandmarkFile.Read(SharedData.Require("mouse-skull-ct/A_J.mrk.json"));
        Assert.Equal(51, markups.Count);
        Assert.All(markups.Landmarks, l => Assert.True(g.ContainsWorld(l.PositionMm!.Value), $"{l.Name} is outside"));
        // On bone: the brightest voxel within 0.2 mm of each markup is well above the background.
        double background = image.Statistics().Median;
        int onBone = markups.Landmarks.Count(l =>
        {
            var c = g.WorldToIndex(l.PositionMm!.Value);
            float max = 0;
            for (int dk = -3; dk <= 3; dk++)
                for (int dj = -3; dj <= 3; dj++)
                    for (int di = -3; di <= 3; di++)
                    {
                        int i = (int)Math.Round(c.I) + di, j = (int)Math.Round(c.J) + dj, k = (int)Math.Round(c.K) + dk;
                        if (g.Size.Contains(i, j, k)) max = Math.Max(max, image[i, j, k]);
                    }
            return max > background + 50;
        });
        Assert.True(onBone >= 48, $"{onBone} of 51 markups near bone");
    }

    [SkippableFact]
    public void Mouse_atlas_pairs_23_skulls_with_45_landmarks_all_inside_their_scans()
    {
        string atlas = SharedData.Require("mouse-ct-atlas");
        var manifest = DatasetBuilder.Create("atlas", Path.Combine(atlas, "images"), Path.Combine(atlas, "landmarks"), null, null, null).Manifest;
        Assert.Equal(23, manifest.Cases.Count);
        Assert.Equal(45, manifest.LandmarkNames.Count);
        var report = DatasetCheckReport.Run(manifest);
        Assert.True(report.Passed, string.Join("; ", report.Errors));
        Assert.Equal(23, report.Readable.Count);
        Assert.All(report.Readable, c =>
        {
            Assert.Equal((45, 0), (c.Present, c.Absent));
            Assert.Empty(c.Outside);
            Assert.Equal(3, c.Geometry.Dimension);
            Assert.Equal(0.141, c.Geometry.SpacingMm.X, 3);
        });
    }

    [SkippableFact]
    public void Nrrd_to_nifti_to_metaimage_to_nifti_keeps_every_markup_within_1e4_mm()
    {
        var original = ImageFile.Read(SharedData.Require("mouse-skull-ct/A_J_.nrrd"));
        var markups = LandmarkFile.Read(SharedData.Require("mouse-skull-ct/A_J.mrk.json"));
        using var dir = new TempDirectory();
        ImageFile.Write(original, dir.File("a.nii.gz"));
        ImageFile.Write(ImageFile.Read(dir.File("a.nii.gz")), dir.File("b.mha"));
        ImageFile.Write(ImageFile.Read(dir.File("b.mha")), dir.File("c.nii"));
        var final = ImageFile.Read(dir.File("c.nii"));
        Assert.Equal(original.Voxels, final.Voxels);
        foreach (var l in markups.Landmarks)
        {
            // The markup's voxel position in the original grid, placed in the world by the final grid.
            var index = original.Geometry.WorldToIndex(l.PositionMm!.Value);
            Assert.True(final.Geometry.IndexToWorld(index).DistanceTo(l.PositionMm.Value) < 1e-4, $"{l.Name} moved");
        }
    }

    [SkippableFact]
    public void Isbi2015_imports_150_cases_of_19_landmarks()
    {
        var split = Assert.Single(Isbi2015.Import(SharedData.Require("isbi2015")));
        Assert.Equal(150, split.Manifest.Cases.Count);
        Assert.All(split.Manifest.Cases, c => Assert.NotNull(c.SecondObserver));
        var first = split.Manifest.LoadCase(split.Manifest.Cases[0]);
        Assert.Equal(new GridSize(1935, 2400, 1), first.Image.Size);
        // 001.txt, first line "835,996": sella at (83.5, 99.6) mm.
        Assert.Equal(new WorldMm(83.5, 99.6, 0), first.Reference.Find("sella")!.PositionMm!.Value with { X = Math.Round(first.Reference.Find("sella")!.PositionMm!.Value.X, 9), Y = Math.Round(first.Reference.Find("sella")!.PositionMm!.Value.Y, 9) });
    }

    [SkippableFact]
    public void Hand_radiographs_read_as_2D_with_their_spacing()
    {
        var image = ImageFile.Read(SharedData.Require("hand-xray/images/3167.mha"));
        Assert.Equal(2, image.Dimension);
        Assert.Equal(new GridSize(1600, 2350, 1), image.Size);
        Assert.Equal(0.108075, image.Geometry.SpacingMm.X, 9);
    }
}
