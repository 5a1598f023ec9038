using System.Buffers.Binary;
using System.Text;

namespace Unpooling.Peers.Onnx;

/// <summary>
/// The few protocol-buffer encodings an ONNX model needs (varint, 32/64-bit fixed, length-delimited), written by hand
/// because the managed ONNX Runtime assembly ships no ONNX protobuf types.
/// </summary>
/// <remarks>Wire format: each field is a varint key <c>(number &lt;&lt; 3) | wireType</c> followed by its payload;
/// wire type 0 = varint, 1 = 64-bit, 2 = length-delimited, 5 = 32-bit. Negative int64 values are 10-byte varints
/// (two's complement), as protobuf's int64 type requires.</remarks>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public ProtoWriter Varint(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        Raw((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A packed repeated int64 field (one length-delimited run of varints).</summary>
    public ProtoWriter PackedVarints(int field, IEnumerable<long> values)
    {
        var packed = new ProtoWriter();
        foreach (long v in values)
        {
            packed.Raw((ulong)v);
        }

        return Message(field, packed);
    }

    private void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

    private void Raw(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
