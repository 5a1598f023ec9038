using System.Runtime.InteropServices;

namespace Unpooling.Peers.Onnx;

/// <summary>ONNX tensor element types (<c>TensorProto.DataType</c>) the peers use.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit IEEE float.</summary>
    Float = 1,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>64-bit IEEE float.</summary>
    Double = 11,
}

/// <summary>A node attribute: an int, a list of ints, a float or a string.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, int type, Action<ProtoWriter> value)
    {
        Name = name;
        Type = type;
        Value = value;
    }

    /// <summary>The attribute's name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    private int Type { get; }

    private Action<ProtoWriter> Value { get; }

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, 2, w => w.Varint(3, value));

    /// <summary>An INTS attribute (written unpacked, as ONNX's proto2 schema declares it).</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, 7, w =>
    {
        foreach (long v in values)
        {
            w.Varint(8, v);
        }
    });

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, 1, w => w.Float(2, value));

    /// <summary>A STRING attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new(name, 3, w => w.String(4, value));

    internal ProtoWriter Write()
    {
        var w = new ProtoWriter().String(1, Name);
        Value(w);
        return w.Varint(20, Type);
    }
}

/// <summary>
/// Builds a small ONNX model (one graph, default domain) as protobuf bytes for
/// <c>Microsoft.ML.OnnxRuntime.InferenceSession</c>: typed graph inputs and outputs, constant initializers and nodes.
/// </summary>
/// <example><code>
/// byte[] model = new OnnxModelBuilder()
///     .Input("X", OnnxElementType.Float, 1, 3, 8, 8)
///     .Node("MaxPool", ["X"], ["Y", "I"], OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2))
///     .Output("Y", OnnxElementType.Float)
///     .Output("I", OnnxElementType.Int64)
///     .Build();
/// </code></example>
public sealed class OnnxModelBuilder
{
    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly int _opset;

    /// <summary>Starts a model importing the default ONNX domain at <paramref name="opset"/>.</summary>
    /// <param name="opset">Operator set version (22 by default: the one SEMANTICS.md is written against).</param>
    public OnnxModelBuilder(int opset = 22) => _opset = opset;

    /// <summary>Declares a graph input. A dimension of -1 is left symbolic.</summary>
    public OnnxModelBuilder Input(string name, OnnxElementType type, params long[] shape)
    {
        _inputs.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Declares a graph output; its shape is left for ONNX Runtime to infer.</summary>
    public OnnxModelBuilder Output(string name, OnnxElementType type)
    {
        _outputs.Add(ValueInfo(name, type, null));
        return this;
    }

    /// <summary>Adds a constant int64 tensor (e.g. MaxUnpool's <c>output_shape</c>).</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<long> values)
        => Initializer(name, OnnxElementType.Int64, dims, MemoryMarshal.AsBytes(values));

    /// <summary>Adds a constant float tensor (e.g. a convolution weight).</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<float> values)
        => Initializer(name, OnnxElementType.Float, dims, MemoryMarshal.AsBytes(values));

    /// <summary>Adds a constant double tensor.</summary>
    public OnnxModelBuilder Initializer(string name, long[] dims, ReadOnlySpan<double> values)
        => Initializer(name, OnnxElementType.Double, dims, MemoryMarshal.AsBytes(values));

    /// <summary>Adds a node of the default domain. An empty input name marks an omitted optional input.</summary>
    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{opType}_{_nodes.Count}").String(4, opType);
        foreach (OnnxAttribute attribute in attributes)
        {
            node.Message(5, attribute.Write());
        }

        _nodes.Add(node);
        return this;
    }

    /// <summary>The serialized <c>ModelProto</c>.</summary>
    public byte[] Build()
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, "unpooling_peer");
        foreach (ProtoWriter initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (ProtoWriter input in _inputs)
        {
            graph.Message(11, input);
        }

        foreach (ProtoWriter output in _outputs)
        {
            graph.Message(12, output);
        }

        // IR version 10 is the one that goes with opset 22.
        return new ProtoWriter()
            .Varint(1, 10)
            .String(2, "Unpooling.Peers")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, string.Empty).Varint(2, _opset))
            .ToArray();
    }

    private OnnxModelBuilder Initializer(string name, OnnxElementType type, long[] dims, ReadOnlySpan<byte> raw)
    {
        var tensor = new ProtoWriter();
        foreach (long d in dims)
        {
            tensor.Varint(1, d);
        }

        // raw_data is little-endian, which is what MemoryMarshal.AsBytes gives on every platform .NET runs on here.
        _initializers.Add(tensor.Varint(2, (int)type).String(8, name).Bytes(9, raw));
        return this;
    }

    private static ProtoWriter ValueInfo(string name, OnnxElementType type, long[]? shape)
    {
        var tensorType = new ProtoWriter().Varint(1, (int)type);
        if (shape is not null)
        {
            var dims = new ProtoWriter();
            for (int i = 0; i < shape.Length; i++)
            {
                dims.Message(1, shape[i] >= 0 ? new ProtoWriter().Varint(1, shape[i]) : new ProtoWriter().String(2, $"{name}_dim{i}"));
            }

            tensorType.Message(2, dims);
        }

        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
