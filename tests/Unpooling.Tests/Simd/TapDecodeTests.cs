using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The tap-code store (<see cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>) against plain arithmetic: every 16-bit code
/// for kernel widths up to 65535 (the float-reciprocal division must be exact over the whole range), every 8-bit code,
/// at every width, into every index width, in window and affine. The codes are read-only on guarded pages and the
/// indices are stored into guarded pages of exactly the stored length, flush after and flush before, so a load or a
/// store one element too wide faults.
/// </summary>
public sealed unsafe class TapDecodeTests
{
    public static TheoryData<int> KernelWidths => [1, 2, 3, 5, 7, 13, 255, 256, 257, 1000, 4097, 65535];

    public static TheoryData<GuardSide> Sides => new(GuardedPages.Sides);

    public static TheoryData<int, GuardSide> KernelWidthsAndSides
    {
        get
        {
            var data = new TheoryData<int, GuardSide>();
            foreach (int kernelWidth in KernelWidths)
            {
                foreach (GuardSide side in GuardedPages.Sides)
                {
                    data.Add(kernelWidth, side);
                }
            }

            return data;
        }
    }

    private static long Expected(int code, int lane, int kernelWidth, int start, int step, int rowStep, int columnStep)
        => start + ((long)lane * step) + ((long)(code / kernelWidth) * rowStep) + ((long)(code % kernelWidth) * columnStep);

    [Theory]
    [MemberData(nameof(KernelWidthsAndSides))]
    public void SixteenBitCodesDecodeExactlyAtEveryWidth(int kernelWidth, GuardSide side)
    {
        (int start, int step, int row, int column) = (1000, 3, 7, 2);
        var decode = TapDecode.Affine(kernelWidth, TapDecode.ReciprocalOf(kernelWidth), start, step, row, column);
        var codes = new ushort[0x10000];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (ushort)i;
        }

        using GuardedInput<ushort> guardedCodes = GuardedPages.Input<ushort>(codes, side);
        using var guardedIndices = new PageGuardedDestination<long>(0x10000, side);
        ushort* c = guardedCodes.Pointer;
        long* d = guardedIndices.Pointer;
        Span<long> indices = guardedIndices.Span;
        {
            for (int i = 0; i < 0x10000; i += 32)
            {
                Simd128<short>.StoreTapIndex(Vector128.Load((short*)c + i), d + i, decode);
                Simd256<short>.StoreTapIndex(Vector256.Load((short*)c + i + 8), d + i + 8, decode);
                Simd512<short>.StoreTapIndex(Vector512.Load((short*)c + i), d + i, decode);
                for (int lane = 0; lane < 32; lane++)
                {
                    Assert.Equal(Expected(i + lane, lane, kernelWidth, start, step, row, column), indices[i + lane]);
                }

                Simd128<short>.StoreTapIndex(Vector128.Load((short*)c + i), d + i, decode);
                for (int lane = 0; lane < 8; lane++)
                {
                    Assert.Equal(Expected(i + lane, lane, kernelWidth, start, step, row, column), indices[i + lane]);
                }

                Simd256<short>.StoreTapIndex(Vector256.Load((short*)c + i), d + i, decode);
                for (int lane = 0; lane < 16; lane++)
                {
                    Assert.Equal(Expected(i + lane, lane, kernelWidth, start, step, row, column), indices[i + lane]);
                }

                Assert.Equal(Expected(i, 0, kernelWidth, start, step, row, column), decode.Decode(i, 0));
            }
        }

        guardedIndices.AssertGuardsIntact($"16-bit codes, kernel width {kernelWidth}, flush {side}");
    }

    [Theory]
    [InlineData(1, GuardSide.After)]
    [InlineData(2, GuardSide.Before)]
    [InlineData(3, GuardSide.After)]
    [InlineData(3, GuardSide.Before)]
    [InlineData(16, GuardSide.After)]
    [InlineData(17, GuardSide.Before)]
    [InlineData(255, GuardSide.After)]
    [InlineData(255, GuardSide.Before)]
    public void EightBitCodesDecodeIntoEveryIndexType(int kernelWidth, GuardSide side)
    {
        var decode = TapDecode.Affine(kernelWidth, TapDecode.ReciprocalOf(kernelWidth), 5, 2, 3, 1);
        var codes = new byte[256];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (byte)i;
        }

        Check<byte>(codes, decode, kernelWidth, v => v <= byte.MaxValue, side);
        Check<short>(codes, decode, kernelWidth, v => v <= short.MaxValue, side);
        Check<int>(codes, decode, kernelWidth, _ => true, side);
        Check<long>(codes, decode, kernelWidth, _ => true, side);
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void InWindowCodesAreStoredAsTheyAreInEveryIndexType(GuardSide side)
    {
        var decode = TapDecode.InWindow(3);
        var codes = new byte[64];
        var shorts = new ushort[32];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (byte)(i * 4);
        }

        for (int i = 0; i < shorts.Length; i++)
        {
            shorts[i] = (ushort)(i * 2001);
        }

        using GuardedInput<byte> guardedCodes = GuardedPages.Input<byte>(codes, side);
        using GuardedInput<ushort> guardedShorts = GuardedPages.Input<ushort>(shorts, side);
        using var guardedBytes = new PageGuardedDestination<byte>(64, side);
        using var guardedWide = new PageGuardedDestination<ushort>(64, side);
        using var guardedLongs = new PageGuardedDestination<long>(64, side);
        byte* c = guardedCodes.Pointer;
        ushort* s = guardedShorts.Pointer;
        byte* b = guardedBytes.Pointer;
        ushort* w = guardedWide.Pointer;
        long* l = guardedLongs.Pointer;
        Span<byte> bytes = guardedBytes.Span;
        Span<ushort> wide = guardedWide.Span;
        Span<long> longs = guardedLongs.Span;
        {
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), b, decode);
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), w, decode);
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), l, decode);
            Assert.Equal(codes, bytes.ToArray());
            Assert.Equal(codes.Select(x => (ushort)x), wide.ToArray());
            Assert.Equal(codes.Select(x => (long)x), longs.ToArray());

            Simd512<short>.StoreTapIndex(Vector512.Load((short*)s), w, decode);
            Simd512<short>.StoreTapIndex(Vector512.Load((short*)s), l, decode);
            Assert.Equal(shorts, wide[..32].ToArray());
            Assert.Equal(shorts.Select(x => (long)x), longs[..32].ToArray());

            // 16-bit codes below 256 into byte switches: one narrowing store of exactly Count bytes, at every width.
            var small = new ushort[32];
            for (int i = 0; i < small.Length; i++)
            {
                small[i] = (ushort)(255 - i);
            }

            using GuardedInput<ushort> guardedSmall = GuardedPages.Input<ushort>(small, side);
            ushort* m = guardedSmall.Pointer;
            {
                bytes.Fill(0xEE);
                Simd128<short>.StoreTapIndex(Vector128.Load((short*)m), b, decode);
                Assert.Equal(small.Take(8).Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 56)), bytes.ToArray());
                Simd256<short>.StoreTapIndex(Vector256.Load((short*)m), b, decode);
                Assert.Equal(small.Take(16).Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 48)), bytes.ToArray());
                Simd512<short>.StoreTapIndex(Vector512.Load((short*)m), b, decode);
                Assert.Equal(small.Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 32)), bytes.ToArray());
            }

            // 32 of 64 bytes narrowed: the rest is the 0xEE fill; the stores into wide and longs were whole.
            guardedBytes.AssertGuardsIntact($"in-window bytes, flush {side}");
            guardedWide.AssertGuardsIntact($"in-window 16-bit, flush {side}");
            guardedLongs.AssertGuardsIntact($"in-window 64-bit, flush {side}");
        }
    }

    private static void Check<TIndex>(byte[] codes, TapDecode decode, int kernelWidth, Func<long, bool> fits, GuardSide side)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        using GuardedInput<byte> guardedCodes = GuardedPages.Input<byte>(codes, side);
        using var guardedIndices = new PageGuardedDestination<TIndex>(256, side);
        byte* c = guardedCodes.Pointer;
        TIndex* d = guardedIndices.Pointer;
        Span<TIndex> indices = guardedIndices.Span;
        {
            for (int i = 0; i < 256; i += 64)
            {
                Simd512<byte>.StoreTapIndex(Vector512.Load(c + i), d + i, decode);
                for (int lane = 0; lane < 64; lane++)
                {
                    long expected = Expected(i + lane, lane, kernelWidth, 5, 2, 3, 1);
                    if (fits(expected))
                    {
                        Assert.Equal(expected, long.CreateChecked(indices[i + lane]));
                    }
                }

                Simd128<byte>.StoreTapIndex(Vector128.Load(c + i), d + i, decode);
                Simd256<byte>.StoreTapIndex(Vector256.Load(c + i + 16), d + i + 16, decode);
                for (int lane = 0; lane < 48; lane++)
                {
                    long expected = Expected(i + lane, lane < 16 ? lane : lane - 16, kernelWidth, 5, 2, 3, 1);
                    if (fits(expected))
                    {
                        Assert.Equal(expected, long.CreateChecked(indices[i + lane]));
                    }
                }
            }
        }

        guardedIndices.AssertGuardsIntact($"8-bit codes into {typeof(TIndex).Name}, kernel width {kernelWidth}, flush {side}");
    }
}
