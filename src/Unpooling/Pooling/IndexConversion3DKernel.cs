using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The 3-D index conversion (<c>ConvertIndices</c> over <c>[N, C, oD, oH, oW]</c>): one pass that checks every index,
/// then one that converts, both split over threads, so a failing call writes nothing and the conversion may run in
/// place (each position is read, then written, by one thread). As in 2-D (<see cref="IndexConversionKernel"/>), per
/// volume and global row-major differ by the volume's base offset, a vectorized clamp and add or subtract per volume,
/// and a copy within one convention is a vectorized clamp; every other pair decodes each index to its row-major cell
/// and encodes it again (<see cref="IndexCodec3D"/>). The first bad position in memory order is reported, whatever
/// the thread count.
/// </summary>
internal static unsafe class IndexConversion3D
{
    /// <summary>Positions per work item of a channels-last conversion (channels-first ones work per volume).</summary>
    private const int Block = 1 << 12;

    /// <summary>The channels-first position <c>(n*C + c)*V + v</c> of memory position <c>(n*V + v)*C + c</c>.</summary>
    public static long FirstPosition(long position, long channels, long volume)
    {
        long pixel = position / channels, c = position - (pixel * channels);
        long n = pixel / volume, v = pixel - (n * volume);
        return (((n * channels) + c) * volume) + v;
    }

    /// <summary>How a conversion runs: fixed per call from the conventions and the layout.</summary>
    private enum Kind
    {
        /// <summary>Same convention (not InWindow), channels-first: a clamped copy.</summary>
        Copy,

        /// <summary>Per plane to global row-major, channels-first: clamp, add the volume's base.</summary>
        AddBase,

        /// <summary>Global row-major to per plane, channels-first: clamp into the volume, subtract its base.</summary>
        SubtractBase,

        /// <summary>Everything else: decode to the row-major cell and encode again, position by position.</summary>
        Decode,
    }

    /// <summary>One conversion's buffers and codecs; the item loops of both passes.</summary>
    internal readonly struct Body<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        private readonly TIndex* _source, _destination;
        private readonly long _count, _channels, _pooledVolume, _volume;
        private readonly IndexCodec3D _from, _to;
        private readonly bool _channelsLast;
        private readonly Kind _kind;

        /// <summary>Where the checking pass keeps the smallest bad position (null in the converting pass).</summary>
        private readonly long* _firstBad;

        public Body(TIndex* source, TIndex* destination, long count, in IndexCodec3D from, in IndexCodec3D to, bool channelsLast, Shape5D shape)
        {
            _source = source;
            _destination = destination;
            _count = count;
            (_from, _to, _channelsLast) = (from, to, channelsLast);
            _channels = Math.Max(1, shape.Channels);
            _pooledVolume = shape.PlaneSize;
            _volume = from.Volume;
            _kind = channelsLast || from.Convention == IndexConvention.InWindow || to.Convention == IndexConvention.InWindow ? Kind.Decode
                : from.Convention == to.Convention ? Kind.Copy
                : (from.Convention, to.Convention) == (IndexConvention.PerPlane, IndexConvention.GlobalRowMajor) ? Kind.AddBase
                : (from.Convention, to.Convention) == (IndexConvention.GlobalRowMajor, IndexConvention.PerPlane) ? Kind.SubtractBase
                : Kind.Decode;
        }

        private Body(in Body<TIndex> body, long* firstBad)
        {
            this = body;
            _firstBad = firstBad;
        }

        /// <summary>Work items: volumes, or blocks of positions for channels-last indices (whose volumes interleave).</summary>
        private int Items => checked((int)(_channelsLast ? (_count + Block - 1) / Block : _count / _pooledVolume));

        /// <summary>The first position whose index is invalid (out of its source range, or not expressible in the destination convention from there), or -1.</summary>
        public long FindInvalid(int degree)
        {
            if (_kind is Kind.Copy or Kind.AddBase)
            {
                // Every index of the source range converts: the range is the whole rule (the vectorized check).
                return MaxUnpool2DKernel.FindInvalid(_source, _count, _from.Space, degree);
            }

            long first = long.MaxValue;
            var check = new Body<TIndex>(this, &first);
            ParallelRunner.Run(ref check, Items, degree);
            first = Volatile.Read(ref first);
            return first == long.MaxValue ? -1 : first;
        }

        /// <summary>Converts every position (after <see cref="FindInvalid"/> passed).</summary>
        public void Convert(int degree)
        {
            Body<TIndex> body = this;
            ParallelRunner.Run(ref body, Items, degree);
        }

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            if (_kind == Kind.Decode)
            {
                long unit = _channelsLast ? Block : _pooledVolume;
                long from = start * unit, to = Math.Min(_count, end * unit);
                if (_firstBad != null)
                {
                    CheckDecoded(from, to);
                }
                else
                {
                    ConvertDecoded(from, to);
                }

                return;
            }

            for (long plane = start; plane < end; plane++)
            {
                var source = new ReadOnlySpan<TIndex>(_source + (plane * _pooledVolume), (int)_pooledVolume);
                var target = new Span<TIndex>(_destination + (plane * _pooledVolume), (int)_pooledVolume);
                TIndex planeBase = TIndex.CreateTruncating(plane * _volume), lastInVolume = TIndex.CreateTruncating(_volume - 1);
                if (_firstBad != null)
                {
                    // Global row-major to per plane: each index must name a cell of its own volume, [base, base + V).
                    if (TensorPrimitives.Min(source) < planeBase || TensorPrimitives.Max(source) > planeBase + lastInVolume)
                    {
                        for (int i = 0; i < source.Length; i++)
                        {
                            if ((ulong)(IndexValue.Read(source[i]) - (plane * _volume)) >= (ulong)_volume)
                            {
                                MaxUnpool3DKernel.KeepFirst(_firstBad, (plane * _pooledVolume) + i);
                                return;
                            }
                        }
                    }

                    continue;
                }

                // The clamps keep an index a racing caller changed since the check inside the destination's range (a
                // valid index is its own clamp), as in 2-D.
                switch (_kind)
                {
                    case Kind.Copy:
                        TensorPrimitives.Clamp(source, TIndex.Zero, TIndex.CreateTruncating(_from.Space - 1), target);
                        break;
                    case Kind.AddBase:
                        TensorPrimitives.Clamp(source, TIndex.Zero, lastInVolume, target);
                        TensorPrimitives.Add(target, planeBase, target);
                        break;
                    default:
                        TensorPrimitives.Clamp(source, planeBase, planeBase + lastInVolume, target);
                        TensorPrimitives.Subtract(target, planeBase, target);
                        break;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void CheckDecoded(long from, long to)
        {
            for (long p = from; p < to; p++)
            {
                long q = _channelsLast ? FirstPosition(p, _channels, _pooledVolume) : p;
                if (!_from.TryDecode(IndexValue.Read(_source[p]), q, out long offset) || !_to.TryEncode(offset, q, out _))
                {
                    MaxUnpool3DKernel.KeepFirst(_firstBad, p);
                    return;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void ConvertDecoded(long from, long to)
        {
            for (long p = from; p < to; p++)
            {
                // Read once more: an index changed by a racing caller becomes 0, never a value outside the range.
                long index = 0, q = _channelsLast ? FirstPosition(p, _channels, _pooledVolume) : p;
                if (_from.TryDecode(IndexValue.Read(_source[p]), q, out long offset) && _to.TryEncode(offset, q, out long converted))
                {
                    index = converted;
                }

                _destination[p] = TIndex.CreateTruncating(index);
            }
        }
    }
}
