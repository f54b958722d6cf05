package io.rollstream.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file opened for reading tensor by tensor: {@code u64 little-endian header length N |
 * N bytes of JSON header | data}. The header is validated completely when the file is opened — a
 * sane length, well-formed entries of a known dtype, shape × dtype width = byte length, every range
 * inside the data section and no two ranges overlapping — so a damaged or hostile file is refused
 * with a message naming the file and the problem, never read out of bounds.
 *
 * <p>Tensor data is memory-mapped in chunks of whole rows of at most {@value #CHUNK_BYTES} bytes, so
 * neither a whole shard nor a whole tensor is ever copied into the Java heap, and tensors larger than
 * a {@link ByteBuffer} can address (2 GiB) are read too. Closing the file closes its channel.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The format's own bound on the header size. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Largest piece of a tensor mapped (and, for BF16/F16, widened) at once. */
    static final int CHUNK_BYTES = 256 << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;
    private final int chunkBytes;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorEntry> tensors,
            Map<String, String> metadata, int chunkBytes) {
        this.chunkBytes = chunkBytes;
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens {@code path} and validates its header.
     *
     * @throws IOException when the file cannot be read or is not a valid safetensors file (the
     *     message names the file and what is wrong)
     */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, CHUNK_BYTES);
    }

    /** {@link #open(Path)} with another chunk size (tests use tiny chunks). */
    static SafetensorsFile open(Path path, int chunkBytes) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw invalid(path, "it has " + size + " bytes, fewer than the 8 of the header length");
            }
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, length, 0);
            long headerBytes = length.flip().getLong();
            if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > size - 8) {
                throw invalid(path, "its header length " + Long.toUnsignedString(headerBytes) + " is not between 2 and "
                        + Math.min(MAX_HEADER_BYTES, size - 8) + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            readFully(channel, header, 8);
            long dataStart = 8 + headerBytes;
            SafetensorsHeader parsed = SafetensorsHeader.parse(path.toString(), header.array(), size - dataStart);
            return new SafetensorsFile(path, channel, dataStart, parsed.tensors(), parsed.metadata(), chunkBytes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Every tensor by name, in header order. */
    public Map<String, TensorEntry> tensors() {
        return tensors;
    }

    /** The header's {@code __metadata__} (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Tensor {@code name} as a FLOAT32 array in {@code manager} (BF16 and F16 widened exactly), with
     * memory of its own.
     *
     * @throws IOException when the tensor is missing, not F32/BF16/F16, or cannot be read
     */
    public NDArray readFloat32(String name, NDManager manager) throws IOException {
        TensorEntry e = floatEntry(name);
        long rows = e.shape().length == 0 ? 1 : e.shape()[0];
        long rowElements = rows == 0 ? 0 : e.elements() / rows;
        long rowFloatBytes = rowElements * Float.BYTES;
        if (rows == 0 || rowElements == 0) {
            return manager.zeros(new Shape(e.shape()), DataType.FLOAT32);
        }
        if (rowFloatBytes > chunkBytes) {
            throw new IOException(path + ": tensor " + name + " has rows of " + rowFloatBytes + " bytes as float32, more"
                    + " than the " + chunkBytes + " this reader maps at once");
        }
        long rowsPerChunk = Math.max(1, chunkBytes / rowFloatBytes);
        List<NDArray> chunks = new ArrayList<>();
        try {
            for (long from = 0; from < rows; from += rowsPerChunk) {
                long count = Math.min(rowsPerChunk, rows - from);
                chunks.add(readRows(e, from, count, rowElements, manager));
            }
            if (chunks.size() == 1) {
                return chunks.remove(0);
            }
            return NDArrays.concat(new NDList(chunks), 0);
        } finally {
            chunks.forEach(NDArray::close);
        }
    }

    /**
     * Tensor {@code name} as a Java float array in row-major order (BF16 and F16 widened exactly),
     * read in mapped chunks: only the result is on the heap.
     *
     * @throws IOException when the tensor is missing, not F32/BF16/F16, too large for one Java array,
     *     or cannot be read
     */
    public float[] readFloats(String name) throws IOException {
        TensorEntry e = floatEntry(name);
        if (e.elements() > Integer.MAX_VALUE - 8) {
            throw new IOException(path + ": tensor " + name + " has " + e.elements() + " values, more than one Java"
                    + " array holds");
        }
        float[] out = new float[(int) e.elements()];
        int width = e.dtype().bytes();
        int perChunk = Math.max(1, chunkBytes / Float.BYTES);
        for (int from = 0; from < out.length; from += perChunk) {
            int count = Math.min(perChunk, out.length - from);
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin() + (long) from * width,
                    (long) count * width).order(ByteOrder.LITTLE_ENDIAN);
            if (e.dtype() == SafetensorsDtype.F32) {
                mapped.asFloatBuffer().get(out, from, count);
            } else {
                var halves = mapped.asShortBuffer();
                boolean bf16 = e.dtype() == SafetensorsDtype.BF16;
                for (int i = 0; i < count; i++) {
                    short h = halves.get(i);
                    out[from + i] = bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h);
                }
            }
        }
        return out;
    }

    private TensorEntry floatEntry(String name) throws IOException {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new IOException(path + " has no tensor " + name);
        }
        if (!e.dtype().isFloatWeight()) {
            throw new IOException(path + ": tensor " + name + " is stored as " + e.dtype()
                    + "; model weights must be F32, BF16 or F16");
        }
        return e;
    }

    /** Rows {@code [from, from + count)} of {@code e} as an owned FLOAT32 array. */
    private NDArray readRows(TensorEntry e, long from, long count, long rowElements, NDManager manager)
            throws IOException {
        long rowBytes = rowElements * e.dtype().bytes();
        long[] dims = e.shape().length == 0 ? new long[0] : e.shape().clone();
        if (dims.length > 0) {
            dims[0] = count;
        }
        Shape shape = new Shape(dims);
        ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin() + from * rowBytes,
                count * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer floats = e.dtype() == SafetensorsDtype.F32 ? mapped : widen(mapped, e.dtype(), count * rowElements);
        // The array first views the (mapped or widened) buffer; duplicate() gives it memory of its own.
        try (NDArray view = manager.create(floats, shape, DataType.FLOAT32)) {
            return view.duplicate();
        }
    }

    private static ByteBuffer widen(ByteBuffer halves, SafetensorsDtype dtype, long elements) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(elements * Float.BYTES)).order(ByteOrder.nativeOrder());
        var in = halves.asShortBuffer();
        var target = out.asFloatBuffer();
        if (dtype == SafetensorsDtype.BF16) {
            while (in.hasRemaining()) {
                target.put(HalfFloats.bf16ToFloat(in.get()));
            }
        } else {
            while (in.hasRemaining()) {
                target.put(HalfFloats.f16ToFloat(in.get()));
            }
        }
        return out;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static IOException invalid(Path path, String problem) {
        return SafetensorsHeader.invalid(path.toString(), problem);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
