using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// The allocating forms keep a channels-last input's memory format, as PyTorch propagates <c>channels_last</c> and
/// <c>channels_last_3d</c> to an operator's output: 1-D and 3-D max pooling (values and switches), argmax unpooling,
/// index conversion of the switches, and the block family in 1-D, 2-D and 3-D return tensors whose strides are channels-last dense (<c>[.., 1, .., C]</c>,
/// stride 0 on a length-1 axis), holding the same logical elements as the call on the channels-first copy; a
/// channels-first input still gets a row-major result.
/// </summary>
public class AllocatingLayoutTests
{
    [Fact]
    public void OneDimensionalFormsKeepChannelsLast()
    {
        (float[] data, nint[] lengths) = Input([2, 5, 12]);
        ReadOnlyTensorSpan<float> last = ChannelsLastView(data, lengths), first = new(TensorViews.Logical(last), lengths, []);
        var g = new Pool1DGeometry(2);
        (Tensor<float> v, Switches1D<long> s) = Functional.MaxPool1D(last, g);
        (Tensor<float> fv, Switches1D<long> fs) = Functional.MaxPool1D(first, g);
        Same(fv, v, expectChannelsLast: true, "MaxPool1D values");
        Same(fs.Indices, s.Indices, expectChannelsLast: true, "MaxPool1D indices");
        Same(Functional.MaxUnpool1D(fv, fs), Functional.MaxUnpool1D(v, s), expectChannelsLast: true, "MaxUnpool1D");
        Same(fs.WithConvention(IndexConvention.GlobalRowMajor).Indices, s.WithConvention(IndexConvention.GlobalRowMajor).Indices, expectChannelsLast: true, "Switches1D.WithConvention");
        Same(Functional.FixedUnpool1D(first, 3, 1), Functional.FixedUnpool1D(last, 3, 1), expectChannelsLast: true, "FixedUnpool1D");
        Same(Functional.ZeroInsert1D(first, 2), Functional.ZeroInsert1D(last, 2), expectChannelsLast: true, "ZeroInsert1D");
    }

    [Fact]
    public void TwoDimensionalBlockFormsKeepChannelsLast()
    {
        (float[] data, nint[] lengths) = Input([2, 6, 3, 4]);
        ReadOnlyTensorSpan<float> last = ChannelsLastView(data, lengths), first = new(TensorViews.Logical(last), lengths, []);
        Same(Functional.FixedUnpool2D(first, new Size2D(2, 3), new Size2D(1, 2)), Functional.FixedUnpool2D(last, new Size2D(2, 3), new Size2D(1, 2)), expectChannelsLast: true, "FixedUnpool2D");
        Same(Functional.RepeatUnpool2D(first, new Size2D(2, 2)), Functional.RepeatUnpool2D(last, new Size2D(2, 2)), expectChannelsLast: true, "RepeatUnpool2D");
        Same(Functional.ZeroInsert2D(first, new Size2D(2, 2)), Functional.ZeroInsert2D(last, new Size2D(2, 2)), expectChannelsLast: true, "ZeroInsert2D");

        // 2-D pooling to a length-1 axis ([1, 4, 2, 1]): the channels-last result takes stride 0 there.
        (float[] small, nint[] smallLengths) = Input([1, 4, 4, 2]);
        ReadOnlyTensorSpan<float> smallLast = ChannelsLastView(small, smallLengths), smallFirst = new(TensorViews.Logical(smallLast), smallLengths, []);
        (Tensor<float> pv, Switches<long> ps) = Functional.MaxPool2D(smallLast, new Pool2DGeometry(2));
        (Tensor<float> fpv, Switches<long> fps) = Functional.MaxPool2D(smallFirst, new Pool2DGeometry(2));
        Same(fpv, pv, expectChannelsLast: true, "MaxPool2D values to width 1");
        Same(fps.Indices, ps.Indices, expectChannelsLast: true, "MaxPool2D indices to width 1");
        Same(Functional.MaxUnpool2D(fpv, fps), Functional.MaxUnpool2D(pv, ps), expectChannelsLast: true, "MaxUnpool2D from width 1");
        Same(fps.WithConvention(IndexConvention.InWindow).Indices, ps.WithConvention(IndexConvention.InWindow).Indices, expectChannelsLast: true, "Switches.WithConvention to width 1");

        // A channels-first input keeps its row-major result.
        Same(Functional.FixedUnpool2D(first, new Size2D(2, 2)), Functional.FixedUnpool2D(first, new Size2D(2, 2)), expectChannelsLast: false, "FixedUnpool2D channels-first");
    }

    [Fact]
    public void ThreeDimensionalFormsKeepChannelsLast()
    {
        foreach (nint[] shape in new nint[][] { [2, 3, 4, 4, 6], [1, 5, 1, 4, 2] })
        {
            (float[] data, nint[] lengths) = Input(shape);
            ReadOnlyTensorSpan<float> last = ChannelsLastView(data, lengths), first = new(TensorViews.Logical(last), lengths, []);
            var g = new Pool3DGeometry(new Size3D(1, 2, 2));
            (Tensor<float> v, Switches3D<long> s) = Functional.MaxPool3D(last, g);
            (Tensor<float> fv, Switches3D<long> fs) = Functional.MaxPool3D(first, g);
            string at = $"[{string.Join(", ", shape)}]";
            Same(fv, v, expectChannelsLast: true, $"MaxPool3D values {at}");
            Same(fs.Indices, s.Indices, expectChannelsLast: true, $"MaxPool3D indices {at}");
            Same(Functional.MaxUnpool3D(fv, fs), Functional.MaxUnpool3D(v, s), expectChannelsLast: true, $"MaxUnpool3D {at}");
            Same(fs.WithConvention(IndexConvention.ChannelsLastWithBatch).Indices, s.WithConvention(IndexConvention.ChannelsLastWithBatch).Indices, expectChannelsLast: true, $"Switches3D.WithConvention {at}");
            Same(Functional.FixedUnpool3D(first, new Size3D(2, 1, 2)), Functional.FixedUnpool3D(last, new Size3D(2, 1, 2)), expectChannelsLast: true, $"FixedUnpool3D {at}");
            Same(Functional.RepeatUnpool3D(first, new Size3D(1, 2, 2)), Functional.RepeatUnpool3D(last, new Size3D(1, 2, 2)), expectChannelsLast: true, $"RepeatUnpool3D {at}");
            Same(Functional.ZeroInsert3D(first, new Size3D(2, 2, 1)), Functional.ZeroInsert3D(last, new Size3D(2, 2, 1)), expectChannelsLast: true, $"ZeroInsert3D {at}");
        }
    }

    /// <summary>Distinct values (no ties: the arg-max is unique), and the logical lengths.</summary>
    private static (float[] Data, nint[] Lengths) Input(nint[] lengths)
    {
        long count = 1;
        foreach (nint l in lengths)
        {
            count *= l;
        }

        var data = new float[count];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = ((i * 37) % data.Length) - (data.Length / 2);
        }

        return (data, lengths);
    }

    /// <summary>The memory read as a channels-last tensor of the logical lengths: <paramref name="data"/> is taken as
    /// <c>[N, spatial..., C]</c> (its channels-first twin is <see cref="TensorViews.Logical{T}(in ReadOnlyTensorSpan{T})"/> of it).</summary>
    private static ReadOnlyTensorSpan<float> ChannelsLastView(float[] data, nint[] lengths)
        => new(data, lengths, TensorViews.ChannelsLastStrides(lengths));


    /// <summary>
    /// <paramref name="actual"/> has the memory format asked for and the same logical elements as
    /// <paramref name="expected"/> (read through each tensor's own strides).
    /// </summary>
    private static void Same<T>(Tensor<T> expected, Tensor<T> actual, bool expectChannelsLast, string what)
        where T : unmanaged, IEquatable<T>
    {
        Assert.Equal(expected.Lengths.ToArray(), actual.Lengths.ToArray());
        nint[] wanted = expectChannelsLast ? TensorViews.ChannelsLastStrides(actual.Lengths) : RowMajor(actual.Lengths);
        Assert.True(wanted.AsSpan().SequenceEqual(actual.Strides) || (!expectChannelsLast && actual.IsDense), $"{what}: strides [{string.Join(", ", actual.Strides.ToArray())}], expected [{string.Join(", ", wanted)}]");
        T[] e = Logical(expected), a = Logical(actual);
        Assert.True(e.AsSpan().SequenceEqual(a), $"{what}: the elements differ from the channels-first call's");
    }

    private static nint[] RowMajor(ReadOnlySpan<nint> lengths)
    {
        var strides = new nint[lengths.Length];
        nint step = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= lengths[i];
        }

        return strides;
    }

    private static T[] Logical<T>(Tensor<T> tensor)
        where T : unmanaged
        => TensorViews.Logical(tensor.AsReadOnlyTensorSpan());
}
