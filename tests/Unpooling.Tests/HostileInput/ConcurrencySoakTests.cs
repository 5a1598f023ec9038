using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using Xunit.Abstractions;

namespace Unpooling.Tests.HostileInput;

/// <summary>
/// Many callers at once: 8 threads (more on a larger machine) call a mix of every operator family for a bounded time
/// (<see cref="DefaultSeconds"/>, or <c>SOAK_SECONDS</c>), all reading the SAME input arrays at once and each writing
/// its own guarded destinations, with thread counts of their own (1, 2, 3, 8, all cores, the default threshold), so
/// the library's internal workers overlap the callers'. Every result is checked against an expectation computed once up
/// front by the reference oracles (bit for bit; the convolutions within <see cref="ConvTolerance"/>, and bit-identical
/// between calls), and at the end every shared input must hold its original bytes.
/// </summary>
/// <remarks>
/// The soak finds what single-threaded tests cannot: state shared between calls (pooled scratch handed to two callers,
/// a static plan cache written while read, a work item that writes outside its chunk when chunks of two calls
/// interleave) and a kernel that writes into its input. Its run time is bounded, its assertions are not timed.
/// </remarks>
public sealed class ConcurrencySoakTests(ITestOutputHelper output)
{
    /// <summary>The default soak time; <c>SOAK_SECONDS</c> overrides it (e.g. 600 for a long run).</summary>
    public const double DefaultSeconds = 3;

    private static readonly ExecutionOptions[] Options =
    [
        ExecutionOptions.SingleThreaded,
        Threads.Options(2),
        Threads.Options(3),
        Threads.Options(8),
        new() { MaxDegreeOfParallelism = -1, MinParallelElements = 0 },
        ExecutionOptions.Default,
    ];

    [Fact]
    public void MixedOperatorsOnSharedInputsFromManyThreads()
    {
        var workload = new Workload();
        SoakCase[] cases = workload.Cases.ToArray();
        int threadCount = Math.Max(8, 2 * Environment.ProcessorCount);
        TimeSpan duration = TimeSpan.FromSeconds(Seconds());
        var failures = new ConcurrentQueue<string>();
        var perCase = new long[cases.Length];
        var perThread = new long[threadCount];
        using var start = new ManualResetEventSlim(false);
        var stopwatch = new Stopwatch();
        long deadline = 0;
        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            int thread = t;
            threads[t] = new Thread(() =>
            {
                start.Wait();
                long end = Volatile.Read(ref deadline);

                // Each thread walks the cases in its own order (a stride coprime to the count) so that different
                // operators, and the same operator at different thread counts, overlap. The first pass (thread t takes
                // cases t, t + threads, ...) runs whatever the clock says, so every case runs on a slow machine too.
                int stride = (2 * thread) + 1;
                while (stride > 1 && (cases.Length % stride == 0 || stride % cases.Length == 0))
                {
                    stride += 2;
                }

                for (long iteration = 0; failures.IsEmpty; iteration++)
                {
                    long first = thread + (iteration * threadCount);
                    bool firstPass = first < Math.Max(cases.Length, threadCount);
                    if (!firstPass && Stopwatch.GetTimestamp() >= end)
                    {
                        break;
                    }

                    int at = firstPass ? (int)(first % cases.Length) : (int)(((iteration * stride) + thread) % cases.Length);
                    ExecutionOptions options = Options[(int)((iteration + thread) % Options.Length)];
                    SoakCase c = cases[at];
                    try
                    {
                        c.Run(options);
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue($"thread {thread}, iteration {iteration}, {c.Name}, options {Describe(options)}: {e.GetType().Name}: {e.Message}");
                        return;
                    }

                    Interlocked.Increment(ref perCase[at]);
                    perThread[thread]++;
                }
            })
            {
                IsBackground = true,
                Name = $"soak {thread}",
            };
            threads[t].Start();
        }

        stopwatch.Start();
        Volatile.Write(ref deadline, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        start.Set();
        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        long total = perCase.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{threadCount} threads, {stopwatch.Elapsed.TotalSeconds:F1} s, {total} calls checked over {cases.Length} cases"));
        for (int i = 0; i < cases.Length; i++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {perCase[i],6}  {cases[i].Name}"));
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} failure(s); first: {failures.FirstOrDefault()}");
        workload.AssertInputsUnchanged();

        // Coverage, not speed: every thread worked and every case ran (the first pass guarantees both unless a call
        // failed, so these only guard the soak's own bookkeeping).
        Assert.All(perThread, (n, t) => Assert.True(n > 0, $"thread {t} checked no call"));
        Assert.All(perCase, (n, i) => Assert.True(n > 0, $"case {cases[i].Name} never ran"));
    }

    private static double Seconds()
        => Environment.GetEnvironmentVariable("SOAK_SECONDS") is { Length: > 0 } text
            ? double.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeconds;

    private static string Describe(ExecutionOptions o) => $"degree {o.MaxDegreeOfParallelism}, min {o.MinParallelElements}";

    /// <summary>One operator call with fixed shared inputs and its precomputed expectation; <see cref="Run"/> throws on any mismatch.</summary>
    private sealed class SoakCase(string name, Action<ExecutionOptions> run)
    {
        public string Name { get; } = name;

        public void Run(ExecutionOptions options) => run(options);
    }

    /// <summary>The shared inputs, their pristine copies, and the cases over them.</summary>
    private sealed class Workload
    {
        private readonly List<(string Name, Array Shared, byte[] Pristine)> _inputs = [];

        public Workload()
        {
            AddPooling(new PoolAxis(3, 2, 1, 1), new PoolAxis(3, 2, 1, 1), ceil: true);
            AddPooling(new PoolAxis(2, 2, 0, 1), new PoolAxis(2, 2, 0, 1), ceil: false);
            AddPooling(new PoolAxis(3, 1, 1, 1), new PoolAxis(2, 3, 0, 1), ceil: false);
            AddBlockUnpooling();
            AddZeroInsertion();
            AddConvolutions(groups: 1);
            AddConvolutions(groups: 2);
            AddPooling3D(new Axis3(2, 2, 0, 0, 1), new Axis3(3, 2, 1, 1, 1), new Axis3(3, 2, 1, 0, 2), ceil: true);
            AddPooling3D(new Axis3(2, 2, 0, 0, 1), new Axis3(2, 2, 0, 0, 1), new Axis3(2, 2, 0, 0, 1), ceil: false);
            AddChannelsLast2D(new PoolAxis(3, 2, 1, 1), new PoolAxis(2, 2, 0, 1));
            AddBlockRanks();
            AddConvolutions3D(groups: 1);
            AddConvolutions3D(groups: 2);
        }

        public List<SoakCase> Cases { get; } = [];

        public void AssertInputsUnchanged()
        {
            foreach ((string name, Array shared, byte[] pristine) in _inputs)
            {
                Assert.True(Bytes(shared).SequenceEqual(pristine), $"shared input {name} was modified");
            }
        }

        private static ReadOnlySpan<byte> Bytes(Array array) => array switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
            int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
            byte[] b => b,
            _ => throw new InvalidOperationException(array.GetType().Name),
        };

        /// <summary>Registers <paramref name="array"/> as a shared input (its bytes are copied now, compared at the end).</summary>
        private T[] Share<T>(string name, T[] array)
        {
            _inputs.Add((name, array, Bytes(array).ToArray()));
            return array;
        }

        private void Add(string name, Action<ExecutionOptions> run) => Cases.Add(new SoakCase(name, run));

        /// <summary>
        /// Pooling in five conventions (InWindow as byte switches), unpooling per plane, global and in window (Replace and
        /// Sum), and index conversion, over one shared <c>[2, 4, 33, 47]</c> input with ties, ±0 and NaNs.
        /// </summary>
        private void AddPooling(PoolAxis rows, PoolAxis cols, bool ceil)
        {
            var shape = new Shape4D(2, 4, 33, 47);
            string geometryName = Infrastructure.Geometry.Describe(rows, cols, ceil);
            float[] x = Share($"pool source {geometryName}", TestData.Ties<float>((int)shape.ElementCount, HashCode.Combine(rows, cols)));
            Pool2DGeometry g = Infrastructure.Geometry.ToLibrary(rows, cols, ceil);
            PoolResult<float> oracle = MaxPool2DReference.Pool(x, 8, 33, 47, rows, cols, ceil);
            Shape4D pooled = shape.WithSpatialSize(new Size2D(oracle.OutH, oracle.OutW));
            int n = oracle.Values.Length;
            long[] inWindow = IndexConventionReference.InWindowFromPerPlane(oracle.Indices, pooled, shape.SpatialSize, rows, cols);

            AddPool<long>(geometryName, x, shape, g, oracle, IndexConvention.PerPlane, oracle.Indices);
            AddPool<long>(geometryName, x, shape, g, oracle, IndexConvention.GlobalRowMajor, IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.GlobalRowMajor));
            AddPool<int>(geometryName, x, shape, g, oracle, IndexConvention.GlobalColumnMajor, IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.GlobalColumnMajor));
            AddPool<int>(geometryName, x, shape, g, oracle, IndexConvention.ChannelsLastWithBatch, IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.ChannelsLastWithBatch));
            AddPool<byte>(geometryName, x, shape, g, oracle, IndexConvention.InWindow, inWindow);

            // Unpooling the oracle's maxima through the oracle's indices, into the input's size.
            float[] values = Share($"pooled values {geometryName}", oracle.Values);
            long[] perPlane = Share($"per-plane indices {geometryName}", oracle.Indices);
            long[] global = Share($"global indices {geometryName}", IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.GlobalRowMajor));
            byte[] taps = Share($"in-window byte switches {geometryName}", TestData.Convert<byte>(inWindow));
            int[] perPlaneInt = Share($"per-plane int indices {geometryName}", TestData.Convert<int>(oracle.Indices));
            var size = shape.SpatialSize;
            foreach (bool sum in new[] { false, true })
            {
                float[] expected = UnpoolReference.MaxUnpool(values, perPlane, 8, oracle.OutH, oracle.OutW, 33, 47, sum);
                UnpoolReduction reduction = sum ? UnpoolReduction.Sum : UnpoolReduction.Replace;
                Add($"MaxUnpool2D per plane long {reduction} {geometryName}", o => Check(expected, d => Functional.MaxUnpool2D(values, perPlane, pooled, g, d, size, IndexConvention.PerPlane, reduction, o)));
                Add($"MaxUnpool2D global row-major long {reduction} {geometryName}", o => Check(expected, d => Functional.MaxUnpool2D(values, global, pooled, g, d, size, IndexConvention.GlobalRowMajor, reduction, o)));
                Add($"MaxUnpool2D in-window byte {reduction} {geometryName}", o => Check(expected, d => Functional.MaxUnpool2D(values, taps, pooled, g, d, size, IndexConvention.InWindow, reduction, o)));
            }

            // Index conversion: per plane to global row-major (long), per plane to in-window (int, with the geometry).
            long[] expectedGlobal = IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.GlobalRowMajor);
            Add($"ConvertIndices per plane -> global row-major long {geometryName}", _ =>
            {
                var d = new GuardedBuffer<long>(n);
                Functional.ConvertIndices<long>(perPlane, pooled, size, IndexConvention.PerPlane, d.Span, IndexConvention.GlobalRowMajor);
                d.AssertGuardsIntact("ConvertIndices");
                BitAssert.IndicesEqual<long>(expectedGlobal, d.Span, "ConvertIndices to global");
            });
            Add($"ConvertIndices per plane -> in-window int {geometryName}", _ =>
            {
                var d = new GuardedBuffer<int>(n);
                Functional.ConvertIndices<int>(perPlaneInt, pooled, size, g, IndexConvention.PerPlane, d.Span, IndexConvention.InWindow);
                d.AssertGuardsIntact("ConvertIndices");
                BitAssert.IndicesEqual<int>(inWindow, d.Span, "ConvertIndices to in-window");
            });
        }

        private void AddPool<TIndex>(string geometryName, float[] x, Shape4D shape, Pool2DGeometry g, PoolResult<float> oracle, IndexConvention convention, long[] expectedIndices)
            where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
        {
            int n = oracle.Values.Length;
            Add($"MaxPool2D {convention} {typeof(TIndex).Name} {geometryName}", o =>
            {
                var values = new GuardedBuffer<float>(n);
                var indices = new GuardedBuffer<TIndex>(n);
                Functional.MaxPool2D(x, shape, g, values.Span, indices.Span, convention, o);
                values.AssertGuardsIntact("values");
                indices.AssertGuardsIntact("indices");
                BitAssert.Equal<float>(oracle.Values, values.Span, "values");
                BitAssert.IndicesEqual<TIndex>(expectedIndices, indices.Span, "indices");
            });
        }

        /// <summary>Fixed (inner offset), random and repeat unpooling at the default size and at one that crops and pads.</summary>
        private void AddBlockUnpooling()
        {
            var shape = new Shape4D(2, 3, 17, 19);
            float[] x = Share("block source", TestData.NonZero<float>((int)shape.ElementCount, 951));
            var factor = new Size2D(2, 3);
            var offset = new Size2D(1, 2);
            foreach (Size2D output in new[] { new Size2D(34, 57), new Size2D(33, 59) })
            {
                float[] fixedExpected = UnpoolReference.Fixed(x, 6, 17, 19, 2, 3, 1, 2, output.Height, output.Width);
                float[] randomExpected = UnpoolReference.Random(x, 6, 17, 19, 2, 3, 4242, output.Height, output.Width);
                float[] repeatExpected = UnpoolReference.Repeat(x, 6, 17, 19, 2, 3, output.Height, output.Width);
                Add($"FixedUnpool2D {output}", o => Check(fixedExpected, d => Functional.FixedUnpool2D(x, shape, factor, d, offset, output, o)));
                Add($"RandomUnpool2D {output}", o => Check(randomExpected, d => Functional.RandomUnpool2D(x, shape, factor, 4242, d, output, o)));
                Add($"RepeatUnpool2D {output}", o => Check(repeatExpected, d => Functional.RepeatUnpool2D(x, shape, factor, d, output, o)));
            }
        }

        private void AddZeroInsertion()
        {
            var xs = new Shape4D(2, 3, 17, 19);
            var stride = new Size2D(2, 3);
            float[] x = Share("zero-insertion source", TestData.NonZero<float>((int)xs.ElementCount, 952));
            (float[] inserted, Shape4D zs) = ConvReference.ZeroInsert(x, xs, stride);
            float[] z = Share("subsample source", TestData.NonZero<float>((int)zs.ElementCount, 953));
            (float[] subsampled, _) = ConvReference.Subsample(z, zs, stride);
            Add("ZeroInsert2D", o => Check(inserted, d => Functional.ZeroInsert2D(x, xs, stride, d, o)));
            Add("StridedSubsample2D", o => Check(subsampled, d => Functional.StridedSubsample2D(z, zs, stride, d, o)));
        }

        /// <summary>
        /// ConvTranspose2D and Conv2D (bias, output padding, groups) against the reference loops within the named
        /// tolerance; every call also gives the same bits as the first call of its case (SEMANTICS.md 5).
        /// </summary>
        private void AddConvolutions(int groups)
        {
            var tg = new Conv2DGeometry(3, 2, 1, groups: groups, outputPadding: 1);
            var xs = new Shape4D(2, 6, 9, 11);
            var tws = new Shape4D(6, 10 / groups, 3, 3);
            float[] x = Share($"convT source groups {groups}", ConvData.Uniform<float>((int)xs.ElementCount, 960 + groups));
            float[] tw = Share($"convT weight groups {groups}", ConvData.Uniform<float>((int)tws.ElementCount, 962 + groups));
            float[] tb = Share($"convT bias groups {groups}", ConvData.Uniform<float>(10, 964 + groups));
            (float[] transposed, Shape4D ys) = ConvReference.ConvTranspose2D(x, xs, tw, tws, tb, tg);
            AddConv($"ConvTranspose2D groups {groups}", transposed, xs.Channels / groups * 9, d => Functional.ConvTranspose2D(x, xs, tw, tws, tb, tg, d.Span, d.Options));

            var cg = new Conv2DGeometry(3, 2, 1, groups: groups);
            var cws = new Shape4D(12, ys.Channels / groups, 3, 3);
            float[] u = Share($"conv source groups {groups}", ConvData.Uniform<float>((int)ys.ElementCount, 966 + groups));
            float[] cw = Share($"conv weight groups {groups}", ConvData.Uniform<float>((int)cws.ElementCount, 968 + groups));
            float[] cb = Share($"conv bias groups {groups}", ConvData.Uniform<float>(12, 970 + groups));
            (float[] forward, _) = ConvReference.Conv2D(u, ys, cw, cws, cb, cg);
            AddConv($"Conv2D groups {groups}", forward, cws.Channels * 9, d => Functional.Conv2D(u, ys, cw, cws, cb, cg, d.Span, d.Options));
        }

        /// <summary>
        /// 3-D pooling in both layouts (per plane long, TensorFlow per sample int, InWindow byte) and 3-D argmax unpooling
        /// (per plane, global row-major; Replace and Sum) in both layouts, over one shared <c>[2, 3, 6, 9, 11]</c> input
        /// with ties, signed zeros and NaNs and its channels-last permutation, against <see cref="Pool3DReference"/>.
        /// </summary>
        private void AddPooling3D(Axis3 ad, Axis3 ah, Axis3 aw, bool ceil)
        {
            const int n = 2, c = 3, d = 6, h = 9, w = 11;
            string name = $"d[{ad}] h[{ah}] w[{aw}]{(ceil ? " ceil" : "")}";
            long volume = (long)d * h * w;
            float[] xFirst = TestData.Ties<float>(n * c * (int)volume, HashCode.Combine(ad, ah, aw));
            float[] x = Share($"3-D pool source {name}", xFirst);
            float[] xLast = Share($"3-D channels-last pool source {name}", ChannelsLast.ChannelsLastReference.ToChannelsLast(xFirst, n, c, volume));
            Pool3DResult<float> oracle = Pool3DReference.Pool(xFirst, n, c, d, h, w, ad, ah, aw, ceil) ?? throw new InvalidOperationException($"soak geometry {name} is invalid");
            var g = new Pool3DGeometry(new Size3D(ad.Kernel, ah.Kernel, aw.Kernel), new Size3D(ad.Stride, ah.Stride, aw.Stride), dilation: new Size3D(ad.Dilation, ah.Dilation, aw.Dilation), ceilMode: ceil)
                .WithPadding(new Size3D(ad.PadBegin, ah.PadBegin, aw.PadBegin), new Size3D(ad.PadEnd, ah.PadEnd, aw.PadEnd));
            long pooledVolume = (long)oracle.OutD * oracle.OutH * oracle.OutW;
            var shape = new Shape5D(n, c, d, h, w);
            var lastShape = Shape5D.ChannelsLast(n, d, h, w, c);
            var pooled = new Shape5D(n, c, oracle.OutD, oracle.OutH, oracle.OutW);
            var lastPooled = Shape5D.ChannelsLast(n, oracle.OutD, oracle.OutH, oracle.OutW, c);
            long[] Indices(IndexConvention convention) => Pool3DReference.Indices(oracle, convention, n, c, d, h, w, ah.Kernel, aw.Kernel);
            T[] Last<T>(T[] first) => ChannelsLast.ChannelsLastReference.ToChannelsLast(first, n, c, pooledVolume);
            float[] valuesLast = Last(oracle.Values);

            AddPool3D<long>($"MaxPool3D per plane long {name}", x, shape, g, oracle.Values, IndexConvention.PerPlane, Indices(IndexConvention.PerPlane));
            AddPool3D<int>($"MaxPool3D TF per sample int {name}", x, shape, g, oracle.Values, IndexConvention.ChannelsLastPerSample, Indices(IndexConvention.ChannelsLastPerSample));
            AddPool3D<long>($"MaxPool3D channels-last per plane long {name}", xLast, lastShape, g, valuesLast, IndexConvention.PerPlane, Last(Indices(IndexConvention.PerPlane)));
            AddPool3D<byte>($"MaxPool3D channels-last in-window byte {name}", xLast, lastShape, g, valuesLast, IndexConvention.InWindow, Last(Indices(IndexConvention.InWindow)));
            AddPool3D<int>($"MaxPool3D channels-last TF with batch int {name}", xLast, lastShape, g, valuesLast, IndexConvention.ChannelsLastWithBatch, Last(Indices(IndexConvention.ChannelsLastWithBatch)));

            // Unpooling the oracle's maxima into the input's size, from shared values and indices in both layouts.
            float[] values = Share($"3-D pooled values {name}", oracle.Values);
            float[] sharedValuesLast = Share($"3-D channels-last pooled values {name}", valuesLast);
            var size = new Size3D(d, h, w);
            foreach (IndexConvention convention in new[] { IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.InWindow })
            {
                long[] first = Indices(convention);
                long[] ix = Share($"3-D {convention} indices {name}", first);
                long[] ixLast = Share($"3-D channels-last {convention} indices {name}", Last(first));
                foreach (bool sum in new[] { false, true })
                {
                    float[] expected = Pool3DReference.Unpool(oracle.Values, first, n, c, oracle.OutD, oracle.OutH, oracle.OutW, d, h, w, ad, ah, aw, convention, sum)
                        ?? throw new InvalidOperationException("soak indices name no cell");
                    float[] expectedLast = ChannelsLast.ChannelsLastReference.ToChannelsLast(expected, n, c, volume);
                    UnpoolReduction reduction = sum ? UnpoolReduction.Sum : UnpoolReduction.Replace;
                    Add($"MaxUnpool3D {convention} {reduction} {name}", o => Check(expected, dst => Functional.MaxUnpool3D<float, long>(values, ix, pooled, g, dst, size, convention, reduction, o)));
                    Add($"MaxUnpool3D channels-last {convention} {reduction} {name}", o => Check(expectedLast, dst => Functional.MaxUnpool3D<float, long>(sharedValuesLast, ixLast, lastPooled, g, dst, size, convention, reduction, o)));
                }
            }
        }

        private void AddPool3D<TIndex>(string name, float[] x, Shape5D shape, Pool3DGeometry g, float[] expectedValues, IndexConvention convention, long[] expectedIndices)
            where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
        {
            int n = expectedValues.Length;
            Add(name, o =>
            {
                var values = new GuardedBuffer<float>(n);
                var indices = new GuardedBuffer<TIndex>(n);
                Functional.MaxPool3D(x, shape, g, values.Span, indices.Span, convention, o);
                values.AssertGuardsIntact("values");
                indices.AssertGuardsIntact("indices");
                BitAssert.Equal<float>(expectedValues, values.Span, "values");
                BitAssert.IndicesEqual<TIndex>(expectedIndices, indices.Span, "indices");
            });
        }

        /// <summary>Channels-last 2-D pooling (per plane, TensorFlow with batch) and unpooling (Replace, Sum) over a shared <c>[2, 33, 47, 5]</c> input.</summary>
        private void AddChannelsLast2D(PoolAxis rows, PoolAxis cols)
        {
            const int n = 2, c = 5, h = 33, w = 47;
            string name = Infrastructure.Geometry.Describe(rows, cols, false);
            float[] xFirst = TestData.Ties<float>(n * c * h * w, HashCode.Combine(rows, cols, c));
            float[] xLast = Share($"channels-last 2-D source {name}", ChannelsLast.ChannelsLastReference.ToChannelsLast(xFirst, n, c, (long)h * w));
            Pool2DGeometry g = Infrastructure.Geometry.ToLibrary(rows, cols, false);
            PoolResult<float> oracle = MaxPool2DReference.Pool(xFirst, n * c, h, w, rows, cols, false);
            long pooledPlane = (long)oracle.OutH * oracle.OutW;
            var pooled = new Shape4D(n, c, oracle.OutH, oracle.OutW);
            float[] Last(float[] first, long plane) => ChannelsLast.ChannelsLastReference.ToChannelsLast(first, n, c, plane);
            long[] LastIndices(long[] first) => ChannelsLast.ChannelsLastReference.ToChannelsLast(first, n, c, pooledPlane);
            float[] valuesLast = Share($"channels-last 2-D pooled values {name}", Last(oracle.Values, pooledPlane));
            long[] perPlaneLast = Share($"channels-last 2-D per-plane indices {name}", LastIndices(oracle.Indices));
            long[] withBatch = LastIndices(IndexConventionReference.FromPerPlane(oracle.Indices, pooled, new Size2D(h, w), IndexConvention.ChannelsLastWithBatch));
            Shape4D shape = Shape4D.ChannelsLast(n, h, w, c), lastPooled = Shape4D.ChannelsLast(n, oracle.OutH, oracle.OutW, c);
            foreach ((IndexConvention convention, long[] expectedIndices) in new[] { (IndexConvention.PerPlane, perPlaneLast), (IndexConvention.ChannelsLastWithBatch, withBatch) })
            {
                Add($"MaxPool2D channels-last {convention} {name}", o =>
                {
                    var values = new GuardedBuffer<float>(valuesLast.Length);
                    var indices = new GuardedBuffer<long>(valuesLast.Length);
                    Functional.MaxPool2D(xLast, shape, g, values.Span, indices.Span, convention, o);
                    values.AssertGuardsIntact("values");
                    indices.AssertGuardsIntact("indices");
                    BitAssert.Equal<float>(valuesLast, values.Span, "values");
                    BitAssert.IndicesEqual<long>(expectedIndices, indices.Span, "indices");
                });
            }

            var size = new Size2D(h, w);
            foreach (bool sum in new[] { false, true })
            {
                float[] expected = Last(UnpoolReference.MaxUnpool(oracle.Values, oracle.Indices, n * c, oracle.OutH, oracle.OutW, h, w, sum), (long)h * w);
                UnpoolReduction reduction = sum ? UnpoolReduction.Sum : UnpoolReduction.Replace;
                Add($"MaxUnpool2D channels-last per plane {reduction} {name}", o => Check(expected, d => Functional.MaxUnpool2D(valuesLast, perPlaneLast, lastPooled, g, d, size, IndexConvention.PerPlane, reduction, o)));
            }
        }

        /// <summary>The block family in 1-D and 3-D, channels-first and channels-last, at a size that crops and pads, over shared inputs.</summary>
        private void AddBlockRanks()
        {
            const int n = 2, c = 3;
            var input = new BlockReference3D.Dims(5, 7, 9);
            var k = new BlockReference3D.Dims(2, 1, 3);
            var offset = new BlockReference3D.Dims(1, 0, 2);
            var output = new BlockReference3D.Dims(9, 7, 29);
            foreach ((int rank, BlockReference3D.Dims size, BlockReference3D.Dims factor, BlockReference3D.Dims at, BlockReference3D.Dims outSize) in new[]
            {
                (3, input, k, offset, output),
                (1, new BlockReference3D.Dims(1, 1, 61), new BlockReference3D.Dims(1, 1, 3), new BlockReference3D.Dims(0, 0, 1), new BlockReference3D.Dims(1, 1, 184)),
            })
            {
                float[] xFirst = TestData.NonZero<float>(n * c * size.Volume, 954 + rank);
                foreach (TensorLayout layout in new[] { TensorLayout.ChannelsFirst, TensorLayout.ChannelsLast })
                {
                    float[] x = Share($"{rank}-D block source {layout}", layout == TensorLayout.ChannelsLast ? BlockReference3D.ToChannelsLast(xFirst, n, c, size) : xFirst);
                    foreach (BlockRanks.BlockOp op in Enum.GetValues<BlockRanks.BlockOp>())
                    {
                        BlockReference3D.Dims o = BlockRanks.BlockRankHarness.OutputOf(op, size, factor, outSize);
                        float[] expected = BlockRanks.BlockRankHarness.Expected(op, xFirst, n, c, size, factor, at, 4242, o, layout);
                        Add($"{op} {rank}-D {layout}", opts => Check(expected, d => BlockRanks.BlockRankHarness.Span(op, rank, layout, x, n, c, size, factor, at, 4242, o, d, opts)));
                    }
                }
            }
        }

        /// <summary>ConvTranspose3D and Conv3D (bias, begin/end padding, dilation, output padding, groups) against <see cref="ConvReference3D"/>.</summary>
        private void AddConvolutions3D(int groups)
        {
            const int n = 2, cin = 4, coutT = 6;
            int[] size = [3, 5, 4];
            RefAxis[] axes = [new(2, 2, 0, 1, 1, 1), new(3, 1, 1, 0, 2, 1), new(3, 2, 1, 1, 1, 1)];
            var tg = new Conv3DGeometry(new Size3D(2, 3, 3), new Size3D(2, 1, 2), dilation: new Size3D(1, 2, 1), groups: groups, outputPadding: new Size3D(1, 1, 1))
                .WithPadding(new Size3D(0, 1, 1), new Size3D(1, 0, 1));
            float[] x = Share($"convT3D source groups {groups}", ConvData.Uniform<float>(n * cin * 60, 980 + groups));
            float[] tw = Share($"convT3D weight groups {groups}", ConvData.Uniform<float>(cin * (coutT / groups) * 18, 982 + groups));
            float[] tb = Share($"convT3D bias groups {groups}", ConvData.Uniform<float>(coutT, 984 + groups));
            (float[] transposed, int[] ys) = ConvReference3D.ConvTranspose(x, n, cin, size, tw, coutT, axes, groups, tb);
            var xs = new Shape5D(n, cin, 3, 5, 4);
            var tws = new Shape5D(cin, coutT / groups, 2, 3, 3);
            AddConv($"ConvTranspose3D groups {groups}", transposed, (cin / groups * 18) + 1, d => Functional.ConvTranspose3D(x, xs, tw, tws, tb, tg, d.Span, d.Options));

            RefAxis[] forwardAxes = [new(2, 2, 0, 1, 1), new(3, 1, 1, 0, 2), new(3, 2, 1, 1, 1)];
            var cg = new Conv3DGeometry(new Size3D(2, 3, 3), new Size3D(2, 1, 2), dilation: new Size3D(1, 2, 1), groups: groups)
                .WithPadding(new Size3D(0, 1, 1), new Size3D(1, 0, 1));
            const int coutF = 4;
            int uVolume = ys[0] * ys[1] * ys[2];
            float[] u = Share($"conv3D source groups {groups}", ConvData.Uniform<float>(n * coutT * uVolume, 986 + groups));
            float[] cw = Share($"conv3D weight groups {groups}", ConvData.Uniform<float>(coutF * (coutT / groups) * 18, 988 + groups));
            float[] cb = Share($"conv3D bias groups {groups}", ConvData.Uniform<float>(coutF, 990 + groups));
            (float[] forward, _) = ConvReference3D.Conv(u, n, coutT, ys, cw, coutF, forwardAxes, groups, cb);
            var us = new Shape5D(n, coutT, ys[0], ys[1], ys[2]);
            var cws = new Shape5D(coutF, coutT / groups, 2, 3, 3);
            AddConv($"Conv3D groups {groups}", forward, (coutT / groups * 18) + 1, d => Functional.Conv3D(u, us, cw, cws, cb, cg, d.Span, d.Options));
        }

        private void AddConv(string name, float[] expected, double termScale, ConvCall call)
        {
            float[]? first = null;
            object gate = new();
            Add(name, o =>
            {
                var d = new GuardedBuffer<float>(expected.Length);
                call(new ConvDestination(d.Span, o));
                d.AssertGuardsIntact(name);
                ConvAssert.Close<float>(expected, d.Span, termScale, name);
                float[] bits = d.ToArray();
                lock (gate)
                {
                    first ??= bits;
                }

                BitAssert.Equal<float>(first, bits, $"{name}: this call vs the case's first call");
            });
        }

        /// <summary>Runs into a sentinel-filled guarded destination and compares bit for bit.</summary>
        private static void Check(float[] expected, Writer<float> write)
        {
            var d = new GuardedBuffer<float>(expected.Length);
            write(d.Span);
            d.AssertGuardsIntact("destination");
            BitAssert.Equal<float>(expected, d.Span, "result");
        }
    }

    private delegate void ConvCall(ConvDestination destination);

    private readonly ref struct ConvDestination(Span<float> span, ExecutionOptions options)
    {
        public Span<float> Span { get; } = span;

        public ExecutionOptions Options { get; } = options;
    }
}
