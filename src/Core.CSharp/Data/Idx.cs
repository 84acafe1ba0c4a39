// Idx.cs: the IDX file format (LeCun's MNIST files) — header checks and the raw unsigned bytes of idx3 images and idx1 labels.
using System.Buffers.Binary;

namespace GenDsl.Data;

/// <summary>The decoded content of an idx3-ubyte image file: Count images of Rows x Cols bytes, row-major, image after image.</summary>
public sealed record IdxImages(string Path, int Count, int Rows, int Cols, byte[] Pixels);

/// <summary>
/// Reads IDX files: a big-endian header (magic 0x00000803 for idx3 unsigned-byte images with three dimensions,
/// 0x00000801 for idx1 labels with one), then the bytes. Every check raises <see cref="InvalidDataException"/>
/// naming the file and what is wrong (missing, truncated, wrong magic, trailing bytes).
/// </summary>
public static class Idx
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an idx3-ubyte image file: (Count, Rows, Cols) bytes.</summary>
    public static IdxImages ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var dims = Header(path, bytes, ImagesMagic, 3, "idx3-ubyte images");
        long expected = 16L + (long)dims[0] * dims[1] * dims[2];
        CheckLength(path, bytes.LongLength, expected, $"{dims[0]} images of {dims[1]}x{dims[2]}");
        return new IdxImages(path, dims[0], dims[1], dims[2], bytes[16..]);
    }

    /// <summary>Reads an idx1-ubyte label file: Count bytes.</summary>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        var dims = Header(path, bytes, LabelsMagic, 1, "idx1-ubyte labels");
        CheckLength(path, bytes.LongLength, 8L + dims[0], $"{dims[0]} labels");
        return bytes[8..];
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist", path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Checks the magic number and returns the dimension sizes that follow it.</summary>
    private static int[] Header(string path, byte[] bytes, int magic, int ndim, string what)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX file '{path}' is truncated: {bytes.Length} bytes, too short for the magic number of {what}");
        var m = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (m != magic)
            throw new InvalidDataException($"IDX file '{path}' has magic number 0x{m:X8}, expected 0x{magic:X8} ({what}); is it the right file, or a gzip (.gz) still to unpack?");
        var headerLength = 4 + 4 * ndim;
        if (bytes.Length < headerLength)
            throw new InvalidDataException($"IDX file '{path}' is truncated: {bytes.Length} bytes, shorter than the {headerLength}-byte header of {what}");
        var dims = new int[ndim];
        for (var i = 0; i < ndim; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0) throw new InvalidDataException($"IDX file '{path}': dimension {i} is {dims[i]}, must be positive");
        }
        return dims;
    }

    private static void CheckLength(string path, long actual, long expected, string what)
    {
        if (actual < expected)
            throw new InvalidDataException($"IDX file '{path}' is truncated: the header promises {what} ({expected} bytes) but the file has {actual} bytes");
        if (actual > expected)
            throw new InvalidDataException($"IDX file '{path}' has {actual - expected} bytes after the {what} its header promises ({expected} bytes)");
    }
}
