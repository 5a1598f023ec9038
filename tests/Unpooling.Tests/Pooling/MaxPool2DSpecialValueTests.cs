using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 1's selection rule on planted windows: NaN (the last NaN wins, payload preserved), ±0 ties (the first
/// is kept, sign bit included), ±infinity, and ties at the first, middle and last window position. The expected cell
/// of each scenario is written by hand from the rule, not taken from the oracle or the library.
/// </summary>
public abstract class MaxPool2DSpecialValueTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly PoolAxis K3S3 = new(3, 3, 0, 1);

    public static TheoryData<KernelWidth> Widths => new(KernelWidths.All);

    /// <summary>Each scenario is one 3x3 window (row-major cells) and the cell the rule must select.</summary>
    private static List<(string Name, T[] Cells, int Expected)> Scenarios()
    {
        T nan1 = TestData.NaN<T>(1), nan2 = TestData.NaN<T>(2), nan3 = TestData.NaN<T>(3);
        T inf = T.PositiveInfinity, ninf = T.NegativeInfinity, pz = T.Zero, nz = T.NegativeZero;
        T five = T.CreateChecked(5), six = T.CreateChecked(6);
        return
        [
            ("NaN first", With((0, nan1), (4, five)), 0),
            ("NaN middle", With((4, nan1), (0, five), (8, inf)), 4),
            ("NaN last", With((8, nan1), (0, inf)), 8),
            ("three NaNs: last wins", With((1, nan1), (5, nan2), (7, nan3), (8, inf)), 7),
            ("negative NaN then NaN: last wins", With((2, TestData.NegativeNaN<T>(9)), (3, nan2)), 3),
            ("NaN then negative NaN: last wins", With((2, nan2), (6, TestData.NegativeNaN<T>(9))), 6),
            ("NaN before +inf stays", With((0, nan1), (8, inf)), 0),
            ("+0 then -0 keeps +0", With((2, pz), (6, nz)), 2),
            ("-0 then +0 keeps -0", With((2, nz), (6, pz)), 2),
            ("-0 first then +0 last", With((0, nz), (8, pz)), 0),
            ("+inf middle", With((4, inf)), 4),
            ("+inf twice keeps first", With((3, inf), (7, inf)), 3),
            ("all -inf gives first cell", Fill(ninf), 0),
            ("-inf then one NaN", With(Fill(ninf), (6, nan1)), 6),
            ("-inf with one finite last", With(Fill(ninf), (8, T.NegativeOne)), 8),
            ("tie first and middle", With((0, five), (4, five)), 0),
            ("tie middle and last", With((4, five), (8, five)), 4),
            ("tie first and last", With((0, five), (8, five)), 0),
            ("tie first, middle and last", With((0, five), (4, five), (8, five)), 0),
            ("max only at last", With((8, five)), 8),
            ("larger after tie", With((0, five), (4, five), (8, six)), 8),
            ("all equal", Fill(five), 0),
        ];
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void PlantedWindowsSelectTheRuleCellInKernel(KernelWidth width)
    {
        int outW = (8 * KernelWidths.Count<T>(width)) + 7;
        foreach (int shift in new[] { 0, 1, 5 })
        {
            (T[] source, List<(T Value, long Index)> expected, string[] names) = Plant(outW, shift);
            var c = new MaxPoolCase<T>(source, 1, 2, 3, 3 * outW, K3S3, K3S3, false);
            AssertExpected(c, expected, names);
            c.CheckKernel<int>(width);
            c.CheckKernel<long>(width);
        }
    }

    [Fact]
    public void PlantedWindowsSelectTheRuleCellThroughPublicApi()
    {
        foreach (int outW in KernelWidths.AllBoundaryWidths<T>())
        {
            (T[] source, List<(T Value, long Index)> expected, string[] names) = Plant(outW, shift: outW);
            var c = new MaxPoolCase<T>(source, 1, 2, 3, 3 * outW, K3S3, K3S3, false);
            AssertExpected(c, expected, names);
            c.CheckPublic<int>();
            c.CheckPublic<long>();
        }
    }

    /// <summary>
    /// An all -inf input under padding: every output is -inf at its window's first real cell, whose position is plain
    /// arithmetic (row max(0, oh*s - p), column max(0, ow*s - p) for dilation 1).
    /// </summary>
    [Fact]
    public void AllNegativeInfinityWithPaddingSelectsFirstRealCell()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        foreach (KernelWidth width in KernelWidths.All)
        {
            int outW = (2 * KernelWidths.Count<T>(width)) + 1;
            int w = (2 * outW) - 1;
            var source = new T[2 * 5 * w];
            source.AsSpan().Fill(T.NegativeInfinity);
            var c = new MaxPoolCase<T>(source, 1, 2, 5, w, axis, axis, false);
            Assert.Equal(outW, c.Expected.OutW);
            for (int o = 0; o < c.Expected.Values.Length; o++)
            {
                int ow = o % outW, oh = o / outW % c.Expected.OutH;
                long first = (Math.Max(0, (oh * 2) - 1) * w) + Math.Max(0, (ow * 2) - 1);
                Assert.True(c.Expected.Indices[o] == first && T.IsNegativeInfinity(c.Expected.Values[o]), $"oracle output {o}");
            }

            c.CheckKernel<int>(width);
            c.CheckKernel<long>(width);
            c.CheckPublic<long>();
        }
    }

    /// <summary>Specials dense enough (a third of the cells) that most windows mix them, on the vector paths' strides.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void DenseSpecialValuesMatchReference(KernelWidth width)
    {
        (PoolAxis Axis, bool Ceil)[] geometries =
        [
            (new PoolAxis(2, 2, 0, 1), false), (new PoolAxis(3, 2, 1, 1), true), (new PoolAxis(3, 1, 1, 2), false),
            (new PoolAxis(2, 3, 0, 2), true), (new PoolAxis(4, 2, 2, 1), false),
        ];
        var random = new Random(11);
        foreach ((PoolAxis axis, bool ceil) in geometries)
        {
            int outW = (2 * KernelWidths.Count<T>(width)) + 1;
            int w = Geometry.InputSizeFor(outW, axis, ceil, random);
            int h = Geometry.InputSizeFor(2, axis, ceil, random);
            T[] source = DenseSpecials(2 * 3 * h * w, random);
            var c = new MaxPoolCase<T>(source, 2, 3, h, w, axis, axis, ceil);
            c.CheckKernel<int>(width);
            c.CheckKernel<long>(width);
            c.CheckPublic<int>();
        }
    }

    private static T[] DenseSpecials(int length, Random random)
    {
        T[] pool = [T.NaN, TestData.NaN<T>(7), TestData.NegativeNaN<T>(3), T.PositiveInfinity, T.NegativeInfinity, T.Zero, T.NegativeZero, T.One];
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = random.Next(3) == 0 ? pool[random.Next(pool.Length)] : T.CreateChecked(random.Next(-2, 3));
        }

        return data;
    }

    /// <summary>
    /// Lays scenarios into the non-overlapping 3x3 windows of a <c>[1, 2, 3, 3*outW]</c> input, scenario
    /// <c>(window + shift + 7*plane) mod count</c> in each, and returns the hand-derived expectation per output.
    /// </summary>
    private static (T[] Source, List<(T Value, long Index)> Expected, string[] Names) Plant(int outW, int shift)
    {
        List<(string Name, T[] Cells, int Expected)> scenarios = Scenarios();
        int w = 3 * outW;
        var source = new T[2 * 3 * w];
        var expected = new List<(T, long)>();
        var names = new List<string>();
        for (int plane = 0; plane < 2; plane++)
        {
            for (int window = 0; window < outW; window++)
            {
                (string name, T[] cells, int e) = scenarios[(window + shift + (7 * plane)) % scenarios.Count];
                for (int cell = 0; cell < 9; cell++)
                {
                    source[(plane * 3 * w) + ((cell / 3) * w) + (3 * window) + (cell % 3)] = cells[cell];
                }

                expected.Add((cells[e], ((e / 3) * w) + (3 * window) + (e % 3)));
                names.Add(name);
            }
        }

        return (source, expected, names.ToArray());
    }

    /// <summary>The oracle agrees with the hand-written expectation (so the kernel checks against it are meaningful).</summary>
    private static void AssertExpected(MaxPoolCase<T> c, List<(T Value, long Index)> expected, string[] names)
    {
        for (int o = 0; o < expected.Count; o++)
        {
            BitAssert.Equal(expected[o].Value, c.Expected.Values[o], $"oracle value, scenario '{names[o]}' output {o}");
            Assert.True(expected[o].Index == c.Expected.Indices[o], $"oracle index, scenario '{names[o]}' output {o}: {c.Expected.Indices[o]} vs {expected[o].Index}");
        }
    }

    private static T[] Fill(T value) => [value, value, value, value, value, value, value, value, value];

    /// <summary>A background of negative finite values with the given cells replaced.</summary>
    private static T[] With(params (int Cell, T Value)[] cells) => With(Background(), cells);

    private static T[] With(T[] background, params (int Cell, T Value)[] cells)
    {
        T[] result = (T[])background.Clone();
        foreach ((int cell, T value) in cells)
        {
            result[cell] = value;
        }

        return result;
    }

    private static T[] Background()
    {
        var cells = new T[9];
        for (int i = 0; i < 9; i++)
        {
            cells[i] = T.CreateChecked(-1 - (i % 4));
        }

        return cells;
    }
}

public sealed class MaxPool2DSpecialValueTestsSingle : MaxPool2DSpecialValueTests<float>
{
}

public sealed class MaxPool2DSpecialValueTestsDouble : MaxPool2DSpecialValueTests<double>
{
}
