using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// Convolutions whose weights hold +-infinity or NaN (<c>docs/semantics.md</c> section 4): the padding is zeros that the
/// weights multiply, so an infinite weight whose tap lands in the padding makes the output NaN there (infinity times
/// 0). The peer is libtorch's <c>conv2d</c>/<c>conv3d</c> of the input padded with zero cells first, without
/// padding: libtorch's own padding gives NaN in its im2col kernel and the real cells' sum in its oneDNN kernels (the
/// stride-2 case here), so only the explicit zeros pin one answer. Ours must give the same cells at 1 and 2 threads
/// (the GEMM layout; the direct layout, which skips taps that read only padding, would not), on integer-valued data
/// so every finite cell is exact. The shapes are ones that take the direct layout with finite weights: rows that read
/// only padding, column stride 1 and 2, and depth.
/// </summary>
public sealed class ConvNonFiniteTorchTests
{
    public static TheoryData<int[], int[], int[], int[], int> Cases => new()
    {
        // [N, Cin, D, H, W], kernel (D, H, W), stride, padding, Cout. 2-D cases have a depth of 1.
        // Three rows of padding around five: the first two and last two output rows read padding only in some taps.
        { [2, 3, 1, 5, 16], [1, 3, 3], [1, 1, 1], [0, 3, 1], 4 },
        // D3's geometry (kernel 4, stride 2, padding 1), 16 output columns.
        { [2, 3, 1, 8, 32], [1, 4, 4], [1, 2, 2], [0, 1, 1], 4 },
        // 3-D, padding 2 in depth: output planes whose depth taps reach only padding planes.
        { [1, 2, 4, 6, 16], [3, 3, 3], [1, 1, 1], [2, 1, 1], 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void InfiniteAndNaNWeightsMeetThePaddingAsInLibtorch(int[] source, int[] kernel, int[] stride, int[] padding, int cout)
    {
        Check<float>(source, kernel, stride, padding, cout);
        Check<double>(source, kernel, stride, padding, cout);
    }

    private static void Check<T>(int[] source, int[] kernel, int[] stride, int[] padding, int cout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(20261203);
        var xShape = new Shape5D(source[0], source[1], source[2], source[3], source[4]);
        var wShape = new Shape5D(cout, source[1], kernel[0], kernel[1], kernel[2]);
        var geometry = new Conv3DGeometry(new Size3D(kernel[0], kernel[1], kernel[2]), new Size3D(stride[0], stride[1], stride[2]), new Size3D(padding[0], padding[1], padding[2]));
        Size3D o = geometry.GetOutputSize(xShape.SpatialSize);
        var yShape = new Shape5D(xShape.Batch, cout, o.Depth, o.Height, o.Width);
        T[] x = Integers<T>(random, xShape.ElementCount);
        T[] w = Integers<T>(random, wShape.ElementCount);
        T[] bias = Integers<T>(random, cout);

        // Channel 0: +inf at the first tap (the corner that reaches padding most); channel 1: NaN at the last tap;
        // channel 2: -inf at the centre tap of the last input channel. The other channels stay finite.
        long taps = (long)kernel[0] * kernel[1] * kernel[2], perChannel = source[1] * taps;
        w[0] = T.PositiveInfinity;
        w[(2 * perChannel) - 1] = T.NaN;
        w[(2 * perChannel) + ((source[1] - 1) * taps) + (taps / 2)] = T.NegativeInfinity;

        T[] peer;
        using (IDisposable scope = TorchOps.Scope())
        {
            Tensor tx = TorchOps.From(x, TorchOps.Dims(xShape)), tw = TorchOps.From(w, TorchOps.Dims(wShape)), tb = TorchOps.From(bias, cout);
            // The padding as real zero cells of the input, convolved without padding: every libtorch algorithm then
            // multiplies them (with its own padding, libtorch's oneDNN kernels skip them and its im2col kernel does not).
            bool flat = source[2] == 1 && kernel[0] == 1 && padding[0] == 0;
            Tensor px = flat
                ? nn.functional.pad(tx.squeeze(2), [padding[2], padding[2], padding[1], padding[1]])
                : nn.functional.pad(tx, [padding[2], padding[2], padding[1], padding[1], padding[0], padding[0]]);
            Tensor y = flat
                ? nn.functional.conv2d(px, tw.squeeze(2), tb, [stride[1], stride[2]])
                : nn.functional.conv3d(px, tw, tb, [stride[0], stride[1], stride[2]]);
            peer = TorchOps.Read<T>(y);
        }

        Assert.Equal(yShape.ElementCount, peer.Length);
        int padded = 0;
        foreach (int threads in (int[])[1, 2])
        {
            var ours = new T[yShape.ElementCount];
            Functional.Conv3D<T>(x, xShape, w, wShape, bias, geometry, ours, ExecutionOptions.WithMaxDegreeOfParallelism(threads));
            for (int i = 0; i < ours.Length; i++)
            {
                Assert.True(
                    (T.IsNaN(peer[i]) && T.IsNaN(ours[i])) || peer[i] == ours[i],
                    $"{typeof(T).Name} {yShape}, {threads} threads: element {i} is {ours[i]}, libtorch gives {peer[i]}");
            }
        }

        // The case must reach the padding with a non-finite weight: channel 0 holds NaN cells (infinity times a padding
        // zero, or +inf + -inf is impossible there: channel 0's only non-finite weight is +inf) next to infinite ones.
        long plane = yShape.ElementCount / yShape.Batch / cout;
        for (long i = 0; i < plane; i++)
        {
            padded += T.IsNaN(peer[i]) ? 1 : 0;
        }

        Assert.True(padded > 0 && padded < plane, $"{yShape}: {padded} of channel 0's {plane} cells are NaN; the case should reach the padding with the infinite weight in some, not all");
    }

    /// <summary>Integers in [-3, 3] with no zero (so an infinite weight times a real cell is infinite, never NaN).</summary>
    private static T[] Integers<T>(Random random, long length)
        where T : IFloatingPointIeee754<T>
    {
        var data = new T[length];
        for (long i = 0; i < length; i++)
        {
            int v = random.Next(1, 4);
            data[i] = T.CreateChecked(random.Next(2) == 0 ? v : -v);
        }

        return data;
    }
}
