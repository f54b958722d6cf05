package io.rollstream.safetensors;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
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
 * <p>Tensor data is read with positional reads, never memory-mapped: F32 straight into the native
 * memory of the array that holds it, BF16/F16 through a {@value #STAGING_BYTES}-byte staging buffer.
 * So neither a whole shard nor a whole tensor is ever copied into the Java heap, and no mapped page
 * of the file stays resident after a read (a mapping is released only when the garbage collector
 * gets to it: when this read through mappings, up to 425 MB of a 110M model's 438 MB file could
 * still be resident when training began). Tensors larger than a {@link ByteBuffer} can address (2 GiB) are read in
 * pieces of whole rows of at most {@value #CHUNK_BYTES} bytes as float32, then concatenated.
 * Closing the file closes its channel.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The format's own bound on the header size. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Largest piece of a tensor (as float32) read into one array; larger tensors are concatenated from pieces. */
    static final int CHUNK_BYTES = 256 << 20;
    /** Size of the staging buffer through which BF16/F16 values are read and widened. */
    static final int STAGING_BYTES = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;
    private final int chunkBytes;
    /** Where 16-bit (and non-native-order) values are read before they are widened; made on first use. */
    private ByteBuffer staging;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorEntry> tensors,
            Map<String, String> metadata,
            int chunkBytes) {
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
                throw invalid(
                        path,
                        "its header length " + Long.toUnsignedString(headerBytes) + " is not between 2 and "
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
     * memory of its own. The file is read straight into the array's native memory (F32) or through
     * a small reused staging buffer (BF16/F16, widened in Java): nothing is memory-mapped, so no
     * page of the file stays resident after the call, and nothing waits for the garbage collector.
     *
     * @throws IOException when the tensor is missing, not F32/BF16/F16, or cannot be read
     */
    public NDArray readFloat32(String name, NDManager manager) throws IOException {
        TensorEntry e = floatEntry(name);
        if (!manager.getDevice().equals(Device.cpu())) {
            // Only a CPU array's memory can be written through a buffer: read there, then copy over.
            try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
                NDArray onDevice = readFloat32(name, cpu).toDevice(manager.getDevice(), true);
                onDevice.attach(manager);
                return onDevice;
            }
        }
        long rows = e.shape().length == 0 ? 1 : e.shape()[0];
        long rowElements = rows == 0 ? 0 : e.elements() / rows;
        long rowFloatBytes = rowElements * Float.BYTES;
        if (rows == 0 || rowElements == 0) {
            return manager.zeros(new Shape(e.shape()), DataType.FLOAT32);
        }
        if (rowFloatBytes > chunkBytes) {
            throw new IOException(path + ": tensor " + name + " has rows of " + rowFloatBytes
                    + " bytes as float32, more than the " + chunkBytes + " this reader fills at once");
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
     * read through the staging buffer: only the result is on the heap.
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
        read(e, 0, out.length, FloatBuffer.wrap(out));
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

    /** Rows {@code [from, from + count)} of {@code e} as an owned FLOAT32 array on the CPU. */
    private NDArray readRows(TensorEntry e, long from, long count, long rowElements, NDManager manager)
            throws IOException {
        long[] dims = e.shape().length == 0 ? new long[0] : e.shape().clone();
        if (dims.length > 0) {
            dims[0] = count;
        }
        NDArray rows = manager.create(new Shape(dims), DataType.FLOAT32);
        try {
            // A contiguous CPU array's own memory, as a buffer (no copy).
            ByteBuffer memory = rows.toByteBuffer(true);
            long first = from * rowElements;
            long elements = count * rowElements;
            if (e.dtype() == SafetensorsDtype.F32 && memory.order() == ByteOrder.LITTLE_ENDIAN) {
                readFully(channel, memory, dataStart + e.begin() + first * Float.BYTES);
            } else {
                read(e, first, elements, memory.asFloatBuffer());
            }
            return rows;
        } catch (IOException | RuntimeException ex) {
            rows.close();
            throw ex;
        }
    }

    /**
     * Elements {@code [first, first + count)} of {@code e}, decoded from little-endian F32, BF16 or
     * F16 into {@code target}, a staging buffer's worth at a time.
     */
    private synchronized void read(TensorEntry e, long first, long count, FloatBuffer target) throws IOException {
        int width = e.dtype().bytes();
        if (staging == null) {
            staging = ByteBuffer.allocate(STAGING_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        }
        long position = dataStart + e.begin() + first * width;
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, STAGING_BYTES / width);
            staging.clear().limit(n * width);
            readFully(channel, staging, position + done * width);
            staging.flip();
            if (e.dtype() == SafetensorsDtype.F32) {
                target.put(staging.asFloatBuffer());
            } else {
                ShortBuffer halves = staging.asShortBuffer();
                boolean bf16 = e.dtype() == SafetensorsDtype.BF16;
                for (int i = 0; i < n; i++) {
                    short h = halves.get(i);
                    target.put(bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.f16ToFloat(h));
                }
            }
            done += n;
        }
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
