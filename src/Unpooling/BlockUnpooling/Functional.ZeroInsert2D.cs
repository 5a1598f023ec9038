using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D zero insertion over <c>[N, C, H, W]</c>: <c>z[h*sh, w*sw] = x[h, w]</c> with <c>s-1</c> zeros between
    /// neighbours, giving <c>[N, C, (H-1)*sh + 1, (W-1)*sw + 1]</c>. This is the first step of the textbook transposed
    /// convolution; its adjoint is
    /// <see cref="StridedSubsample2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/>.
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the zero-inserted planes, <c>N*C*((H-1)*sh+1)*((W-1)*sw+1)</c> elements.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void ZeroInsert2D(ReadOnlySpan<float> source, Shape4D sourceShape, Size2D stride, Span<float> destination, int maxDegreeOfParallelism = -1)
        => StridedCore(true, source, sourceShape, stride, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="ZeroInsert2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/>
    public static void ZeroInsert2D(ReadOnlySpan<double> source, Shape4D sourceShape, Size2D stride, Span<double> destination, int maxDegreeOfParallelism = -1)
        => StridedCore(true, source, sourceShape, stride, destination, maxDegreeOfParallelism);

    /// <summary>2-D zero insertion over rank-4 tensors (any strides); see
    /// <see cref="ZeroInsert2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/>.</summary>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, C, (H-1)*sh+1, (W-1)*sw+1]</c>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> or <paramref name="maxDegreeOfParallelism"/> is out of range.</exception>
    public static void ZeroInsert2D(in ReadOnlyTensorSpan<float> source, Size2D stride, in TensorSpan<float> destination, int maxDegreeOfParallelism = -1)
        => StridedTensor(true, source, stride, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="ZeroInsert2D(in ReadOnlyTensorSpan{float}, Size2D, in TensorSpan{float}, int)"/>
    public static void ZeroInsert2D(in ReadOnlyTensorSpan<double> source, Size2D stride, in TensorSpan<double> destination, int maxDegreeOfParallelism = -1)
        => StridedTensor(true, source, stride, destination, maxDegreeOfParallelism);

    /// <summary>2-D zero insertion into a new <c>[N, C, (H-1)*sh+1, (W-1)*sw+1]</c> tensor.</summary>
    /// <param name="source">The rank-4 input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <returns>The zero-inserted tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static Tensor<float> ZeroInsert2D(Tensor<float> source, Size2D stride) => StridedAllocating(true, source, stride);

    /// <inheritdoc cref="ZeroInsert2D(Tensor{float}, Size2D)"/>
    public static Tensor<double> ZeroInsert2D(Tensor<double> source, Size2D stride) => StridedAllocating(true, source, stride);

    /// <summary>
    /// 2-D strided subsample over <c>[N, C, H, W]</c>: <c>x[h, w] = z[h*sh, w*sw]</c>, giving
    /// <c>[N, C, (H-1)/sh + 1, (W-1)/sw + 1]</c>. The adjoint of
    /// <see cref="ZeroInsert2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/> (and its left inverse).
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the kept cells, <c>N*C*((H-1)/sh+1)*((W-1)/sw+1)</c> elements.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void StridedSubsample2D(ReadOnlySpan<float> source, Shape4D sourceShape, Size2D stride, Span<float> destination, int maxDegreeOfParallelism = -1)
        => StridedCore(false, source, sourceShape, stride, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="StridedSubsample2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/>
    public static void StridedSubsample2D(ReadOnlySpan<double> source, Shape4D sourceShape, Size2D stride, Span<double> destination, int maxDegreeOfParallelism = -1)
        => StridedCore(false, source, sourceShape, stride, destination, maxDegreeOfParallelism);

    /// <summary>2-D strided subsample over rank-4 tensors (any strides); see
    /// <see cref="StridedSubsample2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, int)"/>.</summary>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, C, (H-1)/sh+1, (W-1)/sw+1]</c>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> or <paramref name="maxDegreeOfParallelism"/> is out of range.</exception>
    public static void StridedSubsample2D(in ReadOnlyTensorSpan<float> source, Size2D stride, in TensorSpan<float> destination, int maxDegreeOfParallelism = -1)
        => StridedTensor(false, source, stride, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="StridedSubsample2D(in ReadOnlyTensorSpan{float}, Size2D, in TensorSpan{float}, int)"/>
    public static void StridedSubsample2D(in ReadOnlyTensorSpan<double> source, Size2D stride, in TensorSpan<double> destination, int maxDegreeOfParallelism = -1)
        => StridedTensor(false, source, stride, destination, maxDegreeOfParallelism);

    /// <summary>2-D strided subsample into a new <c>[N, C, (H-1)/sh+1, (W-1)/sw+1]</c> tensor.</summary>
    /// <param name="source">The rank-4 input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1.</param>
    /// <returns>The subsampled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static Tensor<double> StridedSubsample2D(Tensor<double> source, Size2D stride) => StridedAllocating(false, source, stride);

    /// <inheritdoc cref="StridedSubsample2D(Tensor{double}, Size2D)"/>
    public static Tensor<float> StridedSubsample2D(Tensor<float> source, Size2D stride) => StridedAllocating(false, source, stride);

    private static Shape4D StridedOutputShape(bool insert, Shape4D shape, Size2D stride)
    {
        Guard.AtLeast(stride, 1, nameof(stride));
        long h = insert ? ((long)(shape.Height - 1) * stride.Height) + 1 : ((shape.Height - 1) / stride.Height) + 1;
        long w = insert ? ((long)(shape.Width - 1) * stride.Width) + 1 : ((shape.Width - 1) / stride.Width) + 1;
        if (h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(stride), $"Zero insertion of {shape} with stride {stride} gives {h}x{w} planes; each size must be <= {int.MaxValue}.");
        }

        var output = shape.WithSpatialSize(new Size2D((int)h, (int)w));
        output.Validate(nameof(stride));
        return output;
    }

    private static unsafe void StridedCore<T>(bool insert, ReadOnlySpan<T> source, Shape4D sourceShape, Size2D stride, Span<T> destination, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sourceShape.Validate(nameof(sourceShape));
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Shape4D outputShape = StridedOutputShape(insert, sourceShape, stride);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.Degree(maxDegreeOfParallelism);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        int planes = (int)sourceShape.PlaneCount;
        int degree = ParallelRunner.ResolveDegree(maxDegreeOfParallelism, planes, outputShape.ElementCount + sourceShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        {
            // The zero-inserted (large) plane is always Z; the compact plane is always X.
            var body = new StridedBody<T>
            {
                Insert = insert,
                Compact = insert ? s : d,
                Spread = insert ? d : s,
                Small = insert ? sourceShape.SpatialSize : outputShape.SpatialSize,
                Large = insert ? outputShape.SpatialSize : sourceShape.SpatialSize,
                Stride = stride,
            };
            ParallelRunner.Run(ref body, planes, degree);
        }
    }

    private static void StridedTensor<T>(bool insert, in ReadOnlyTensorSpan<T> source, Size2D stride, in TensorSpan<T> destination, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        TensorAdapter.RequireShape(destination, StridedOutputShape(insert, shape, stride), nameof(destination));
        Guard.Degree(maxDegreeOfParallelism);
        T[]? rentedSource = null, rentedDestination = null;
        try
        {
            ReadOnlySpan<T> s = TensorAdapter.Read(source, ref rentedSource);
            Span<T> d = TensorAdapter.Write(destination, ref rentedDestination);
            StridedCore(insert, s, shape, stride, d, maxDegreeOfParallelism);
            TensorAdapter.Complete(destination, rentedDestination);
            rentedDestination = null;
        }
        finally
        {
            TensorAdapter.Return(rentedSource);
            TensorAdapter.Return(rentedDestination);
        }
    }

    private static Tensor<T> StridedAllocating<T>(bool insert, Tensor<T> source, Size2D stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlyTensorSpan<T> input = source.AsReadOnlyTensorSpan();
        Shape4D outputShape = StridedOutputShape(insert, TensorAdapter.GetShape(input, nameof(source)), stride);
        Tensor<T> result = Tensor.CreateFromShapeUninitialized<T>(TensorAdapter.Lengths(outputShape));
        StridedTensor(insert, input, stride, result.AsTensorSpan(), -1);
        return result;
    }

    /// <summary>Zero insertion (compact to spread) or subsample (spread to compact) of whole planes.</summary>
    private unsafe struct StridedBody<T> : IParallelBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public bool Insert;
        public T* Compact;
        public T* Spread;
        public Size2D Small;
        public Size2D Large;
        public Size2D Stride;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            nint smallPlane = (nint)Small.Height * Small.Width, largePlane = (nint)Large.Height * Large.Width;
            nint rowStep = (nint)Stride.Height * Large.Width;
            for (int plane = start; plane < end; plane++)
            {
                T* x = Compact + (plane * smallPlane);
                T* z = Spread + (plane * largePlane);
                if (Insert)
                {
                    new Span<T>(z, (int)largePlane).Clear();
                }

                for (int h = 0; h < Small.Height; h++, x += Small.Width, z += rowStep)
                {
                    for (int w = 0; w < Small.Width; w++)
                    {
                        if (Insert)
                        {
                            z[w * Stride.Width] = x[w];
                        }
                        else
                        {
                            x[w] = z[w * Stride.Width];
                        }
                    }
                }
            }
        }
    }
}
