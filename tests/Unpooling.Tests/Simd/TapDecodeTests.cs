using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The tap-code store (<see cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>) against plain arithmetic: every 16-bit code
/// for kernel widths up to 65535 (the float-reciprocal division must be exact over the whole range), every 8-bit code,
/// at every width, into every index width, in window and affine.
/// </summary>
public sealed unsafe class TapDecodeTests
{
    public static TheoryData<int> KernelWidths => [1, 2, 3, 5, 7, 13, 255, 256, 257, 1000, 4097, 65535];

    private static long Expected(int code, int lane, int kernelWidth, int start, int step, int rowStep, int columnStep)
        => start + ((long)lane * step) + ((long)(code / kernelWidth) * rowStep) + ((long)(code % kernelWidth) * columnStep);

    [Theory]
    [MemberData(nameof(KernelWidths))]
    public void SixteenBitCodesDecodeExactlyAtEveryWidth(int kernelWidth)
    {
        (int start, int step, int row, int column) = (1000, 3, 7, 2);
        var decode = TapDecode.Affine(kernelWidth, TapDecode.ReciprocalOf(kernelWidth), start, step, row, column);
        var codes = new ushort[0x10000];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (ushort)i;
        }

        var indices = new long[0x10000];
        fixed (ushort* c = codes)
        fixed (long* d = indices)
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
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(255)]
    public void EightBitCodesDecodeIntoEveryIndexType(int kernelWidth)
    {
        var decode = TapDecode.Affine(kernelWidth, TapDecode.ReciprocalOf(kernelWidth), 5, 2, 3, 1);
        var codes = new byte[256];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (byte)i;
        }

        Check<byte>(codes, decode, kernelWidth, v => v <= byte.MaxValue);
        Check<short>(codes, decode, kernelWidth, v => v <= short.MaxValue);
        Check<int>(codes, decode, kernelWidth, _ => true);
        Check<long>(codes, decode, kernelWidth, _ => true);
    }

    [Fact]
    public void InWindowCodesAreStoredAsTheyAreInEveryIndexType()
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

        var bytes = new byte[64];
        var wide = new ushort[64];
        var longs = new long[64];
        fixed (byte* c = codes)
        fixed (ushort* s = shorts)
        fixed (byte* b = bytes)
        fixed (ushort* w = wide)
        fixed (long* l = longs)
        {
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), b, decode);
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), w, decode);
            Simd512<byte>.StoreTapIndex(Vector512.Load(c), l, decode);
            Assert.Equal(codes, bytes);
            Assert.Equal(codes.Select(x => (ushort)x), wide);
            Assert.Equal(codes.Select(x => (long)x), longs);

            Simd512<short>.StoreTapIndex(Vector512.Load((short*)s), w, decode);
            Simd512<short>.StoreTapIndex(Vector512.Load((short*)s), l, decode);
            Assert.Equal(shorts, wide.AsSpan(0, 32).ToArray());
            Assert.Equal(shorts.Select(x => (long)x), longs.AsSpan(0, 32).ToArray());

            // 16-bit codes below 256 into byte switches: one narrowing store of exactly Count bytes, at every width.
            var small = new ushort[32];
            for (int i = 0; i < small.Length; i++)
            {
                small[i] = (ushort)(255 - i);
            }

            fixed (ushort* m = small)
            {
                bytes.AsSpan().Fill(0xEE);
                Simd128<short>.StoreTapIndex(Vector128.Load((short*)m), b, decode);
                Assert.Equal(small.Take(8).Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 56)), bytes);
                Simd256<short>.StoreTapIndex(Vector256.Load((short*)m), b, decode);
                Assert.Equal(small.Take(16).Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 48)), bytes);
                Simd512<short>.StoreTapIndex(Vector512.Load((short*)m), b, decode);
                Assert.Equal(small.Select(x => (byte)x).Concat(Enumerable.Repeat((byte)0xEE, 32)), bytes);
            }
        }
    }

    private static void Check<TIndex>(byte[] codes, TapDecode decode, int kernelWidth, Func<long, bool> fits)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        var indices = new TIndex[256];
        fixed (byte* c = codes)
        fixed (TIndex* d = indices)
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
    }
}
