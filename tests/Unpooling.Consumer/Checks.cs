// Appended by run.sh to README's usage example (generated/Program.cs), so it sees the example's variables. Each line
// it prints states a result checked here against plain loops written from docs/semantics.md (no code of the
// library's), and the program exits 1 at the first mismatch. The last line, a digest of every output's bits, is not in
// expected.txt: run.sh only requires the JIT run and the Native AOT binary to print the same one.

int failures = 0;
var digest = new Digest();

// 2x2 stride-2 max pooling of the six 8x8 planes: first maximum in row-major window order (no NaN in sin data).
const int Planes = 6, Side = 8, Out = 4;
float[] wantPooled = new float[Planes * Out * Out];
long[] wantSwitches = new long[Planes * Out * Out];
for (int p = 0; p < Planes; p++)
{
    for (int oh = 0; oh < Out; oh++)
    {
        for (int ow = 0; ow < Out; ow++)
        {
            int o = (p * Out * Out) + (oh * Out) + ow;
            float best = float.NegativeInfinity;
            long arg = -1;
            for (int kh = 0; kh < 2; kh++)
            {
                for (int kw = 0; kw < 2; kw++)
                {
                    int h = (2 * oh) + kh, w = (2 * ow) + kw;
                    float v = input[(p * Side * Side) + (h * Side) + w];
                    if (arg < 0 || v > best || float.IsNaN(v))
                    {
                        best = v;
                        arg = (h * Side) + w;
                    }
                }
            }

            wantPooled[o] = best;
            wantSwitches[o] = arg;
        }
    }
}

// Argmax unpooling: zeros except each maximum at its switch; fixed upper-left: each value at (2*oh, 2*ow).
float[] wantRestored = new float[Planes * Side * Side];
float[] wantUpperLeft = new float[Planes * Side * Side];
for (int o = 0; o < wantPooled.Length; o++)
{
    int p = o / (Out * Out), oh = o / Out % Out, ow = o % Out;
    wantRestored[(p * Side * Side) + (int)wantSwitches[o]] = wantPooled[o];
    wantUpperLeft[(p * Side * Side) + (2 * oh * Side) + (2 * ow)] = wantPooled[o];
}

Report($"pooled shape {pooledShape.Batch}x{pooledShape.Channels}x{pooledShape.Height}x{pooledShape.Width}",
    pooledShape.Batch == 2 && pooledShape.Channels == 3 && pooledShape.Height == Out && pooledShape.Width == Out);
Report($"max pooling: {pooled.Length} values and per-plane switches equal the naive loop",
    SameBits(wantPooled, pooled) && switches.AsSpan().SequenceEqual(wantSwitches));
Report($"argmax unpooling: equals the naive scatter, {restored.Count(v => v != 0)} nonzero cells of {restored.Length}",
    SameBits(wantRestored, restored));
Report("fixed upper-left unpooling: equals the naive loop", SameBits(wantUpperLeft, upperLeft));

// ONNX (global row-major): the per-plane index plus the plane's offset, 64 * plane.
bool onnx = true;
for (int o = 0; o < onnxIndices.Length; o++)
{
    onnx &= onnxIndices[o] == (o / (Out * Out) * Side * Side) + wantSwitches[o];
}

Report("ONNX indices: the per-plane switch plus 64 per plane", onnx);

// Byte switches: the tap kh*2 + kw of each maximum inside its own window.
bool tapsOk = true;
for (int o = 0; o < taps.Length; o++)
{
    int oh = o / Out % Out, ow = o % Out, h = (int)(wantSwitches[o] / Side), w = (int)(wantSwitches[o] % Side);
    tapsOk &= taps[o] == ((h - (2 * oh)) * 2) + (w - (2 * ow));
}

Report("byte switches: the tap inside each window; unpooled from them equals argmax unpooling",
    tapsOk && SameBits(wantRestored, fromTaps));

// The tensor forms: same values and switches; the switches carry the input size, so unpooling needs none.
Report($"tensor forms: values {string.Join("x", values.Lengths.ToArray())}, unpooled {string.Join("x", unpooled.Lengths.ToArray())}, equal to the span results",
    SameBits(wantPooled, values.ToArray()) && switchesOfTensor.Indices.ToArray().AsSpan().SequenceEqual(wantSwitches)
    && SameBits(wantRestored, unpooled.ToArray()));

// 3-D: six 4x4x4 volumes, 2x2x2 windows scanned depth, height, width; per-volume index (d*4 + h)*4 + w.
bool volumeOk = true;
for (int o = 0; o < pooled3D.Length; o++)
{
    int v = o / 8, od = o / 4 % 2, oh = o / 2 % 2, ow = o % 2;
    float best = float.NegativeInfinity;
    long arg = -1;
    for (int kd = 0; kd < 2; kd++)
    {
        for (int kh = 0; kh < 2; kh++)
        {
            for (int kw = 0; kw < 2; kw++)
            {
                int index = ((((2 * od) + kd) * 4) + (2 * oh) + kh) * 4 + (2 * ow) + kw;
                float x = input[(v * 64) + index];
                if (arg < 0 || x > best || float.IsNaN(x))
                {
                    best = x;
                    arg = index;
                }
            }
        }
    }

    volumeOk &= BitConverter.SingleToInt32Bits(best) == BitConverter.SingleToInt32Bits(pooled3D[o]) && arg == switches3D[o];
}

Report($"3-D max pooling: {pooled3D.Length} values and switches equal the naive loop", volumeOk);

// Channels-last: the same memory read as [N, H, W, C]; outputs [N, 4, 4, C], indices still h*W + w per plane.
bool nhwcOk = true;
for (int n = 0; n < 2; n++)
{
    for (int c = 0; c < 3; c++)
    {
        for (int oh = 0; oh < Out; oh++)
        {
            for (int ow = 0; ow < Out; ow++)
            {
                float best = float.NegativeInfinity;
                long arg = -1;
                for (int kh = 0; kh < 2; kh++)
                {
                    for (int kw = 0; kw < 2; kw++)
                    {
                        int h = (2 * oh) + kh, w = (2 * ow) + kw;
                        float x = input[((((n * Side) + h) * Side) + w) * 3 + c];
                        if (arg < 0 || x > best || float.IsNaN(x))
                        {
                            best = x;
                            arg = (h * Side) + w;
                        }
                    }
                }

                int o = ((((n * Out) + oh) * Out) + ow) * 3 + c;
                nhwcOk &= BitConverter.SingleToInt32Bits(best) == BitConverter.SingleToInt32Bits(pooledNhwc[o]) && arg == switchesNhwc[o];
            }
        }
    }
}

Report("channels-last max pooling: values and switches equal the naive loop", nhwcOk);

// SAME_UPPER, kernel 3, stride 2 on 8: output ceil(8/2) = 4, total pad (4-1)*2 + 3 - 8 = 1, the odd cell at the end.
Report($"SAME_UPPER: padding begin {same.PaddingBegin.Height},{same.PaddingBegin.Width} end {same.PaddingEnd.Height},{same.PaddingEnd.Width}, output {same.GetOutputSize(shape.SpatialSize).Height}x{same.GetOutputSize(shape.SpatialSize).Width}",
    same.PaddingBegin == new Size2D(0, 0) && same.PaddingEnd == new Size2D(1, 1) && same.GetOutputSize(shape.SpatialSize) == new Size2D(4, 4));

digest.Add(pooled).Add(switches).Add(restored).Add(upperLeft).Add(onnxIndices).Add(taps).Add(fromTaps)
    .Add(values.ToArray()).Add(switchesOfTensor.Indices.ToArray()).Add(unpooled.ToArray())
    .Add(pooled3D).Add(switches3D).Add(pooledNhwc).Add(switchesNhwc);
Console.WriteLine($"digest {digest.Value:x16}");
Console.Error.WriteLine($"runtime: {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "Native AOT")}, "
    + $"Vector128 {System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, "
    + $"Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Fma {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
return failures == 0 ? 0 : 1;

void Report(string line, bool ok)
{
    Console.WriteLine(ok ? line : "MISMATCH " + line);
    failures += ok ? 0 : 1;
}

static bool SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual) =>
    System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual));

/// <summary>FNV-1a over the bytes of every output, to compare two builds of the same program.</summary>
internal sealed class Digest
{
    public ulong Value { get; private set; } = 14695981039346656037UL;

    public Digest Add<TItem>(TItem[] items) where TItem : unmanaged
    {
        foreach (byte b in System.Runtime.InteropServices.MemoryMarshal.AsBytes(items.AsSpan()))
        {
            Value = (Value ^ b) * 1099511628211UL;
        }

        return this;
    }
}
