using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// One 3-D case's random inputs, geometry and runs, for the layout tests of the convolution (<c>Transposed</c> false)
/// or the transposed convolution: the library through its span form into a guarded buffer, and the plain-loop oracle.
/// </summary>
internal sealed class ConvRankData<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ConvRankCase _case;
    private readonly int[] _size;
    private readonly int _cout;
    private readonly bool _transposed;

    public ConvRankData(bool transposed, ConvRankCase c, int[] size, int n, int cin, int cout, int seed)
    {
        (_transposed, _case, _size, _cout) = (transposed, c, size, cout);
        Geometry = c.Geometry3D();
        SourceShape = new Shape5D(n, cin, size[0], size[1], size[2]);
        (int k0, int k1, int k2) = (c.Axes.AxisD.K, c.Axes.AxisH.K, c.Axes.AxisW.K);
        WeightShape = transposed ? new Shape5D(cin, cout / c.Groups, k0, k1, k2) : new Shape5D(cout, cin / c.Groups, k0, k1, k2);
        Output = transposed ? Geometry.GetTransposedOutputSize(SourceShape.SpatialSize) : Geometry.GetOutputSize(SourceShape.SpatialSize);
        X = ConvData.Uniform<T>((int)SourceShape.ElementCount, seed);
        W = ConvData.Uniform<T>((int)WeightShape.ElementCount, seed + 1);
        Bias = ConvData.Uniform<T>(cout, seed + 2);
        Terms = (cin / c.Groups * k0 * k1 * k2) + 1;
    }

    public Conv3DGeometry Geometry { get; }

    public Shape5D SourceShape { get; }

    public Shape5D WeightShape { get; }

    public Size3D Output { get; }

    public T[] X { get; }

    public T[] W { get; }

    public T[] Bias { get; }

    /// <summary>Terms per output cell (the tolerance's scale).</summary>
    public int Terms { get; }

    public T[] Run(int threads)
    {
        var y = new GuardedBuffer<T>((int)(SourceShape.Batch * _cout * Output.Volume));
        if (_transposed)
        {
            Functional.ConvTranspose3D<T>(X, SourceShape, W, WeightShape, Bias, Geometry, y.Span, Threads.Options(threads));
        }
        else
        {
            Functional.Conv3D<T>(X, SourceShape, W, WeightShape, Bias, Geometry, y.Span, Threads.Options(threads));
        }

        y.AssertGuardsIntact($"{_case}, {threads} threads");
        return y.ToArray();
    }

    /// <summary>
    /// The forward convolution on the same tensors stored channels-last (<c>[N, D, H, W, C]</c>), its result permuted
    /// back to channels-first.
    /// </summary>
    public T[] RunChannelsLast(int threads)
    {
        if (_transposed)
        {
            throw new InvalidOperationException("the channels-last run is the forward convolution's");
        }

        int volume = (int)SourceShape.SpatialSize.Volume, outVolume = (int)Output.Volume;
        T[] x = ConvBackwardReference.ToChannelsLast(X, SourceShape.Batch, SourceShape.Channels, volume);
        var source = Shape5D.ChannelsLast(SourceShape.Batch, SourceShape.Depth, SourceShape.Height, SourceShape.Width, SourceShape.Channels);
        var y = new GuardedBuffer<T>(SourceShape.Batch * _cout * outVolume);
        Functional.Conv3D<T>(x, source, W, WeightShape, Bias, Geometry, y.Span, Threads.Options(threads));
        y.AssertGuardsIntact($"{_case}, channels-last, {threads} threads");
        T[] last = y.ToArray();
        var first = new T[last.Length];
        for (int n = 0; n < SourceShape.Batch; n++)
        {
            for (int c = 0; c < _cout; c++)
            {
                for (int v = 0; v < outVolume; v++)
                {
                    first[(((n * _cout) + c) * outVolume) + v] = last[(((n * outVolume) + v) * _cout) + c];
                }
            }
        }

        return first;
    }

    public T[] Oracle() => _transposed
        ? ConvReference3D.ConvTranspose(X, SourceShape.Batch, SourceShape.Channels, _size, W, _cout, _case.Ref, _case.Groups, Bias).Output
        : ConvReference3D.Conv(X, SourceShape.Batch, SourceShape.Channels, _size, W, _cout, _case.Ref, _case.Groups, Bias).Output;
}
