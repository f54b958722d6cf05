package io.rollstream.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

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
            Header parsed = parseHeader(path, new String(header.array(), StandardCharsets.UTF_8), size - dataStart);
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
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new IOException(path + " has no tensor " + name);
        }
        if (!e.dtype().isFloatWeight()) {
            throw new IOException(path + ": tensor " + name + " is stored as " + e.dtype()
                    + "; model weights must be F32, BF16 or F16");
        }
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

    private record Header(Map<String, TensorEntry> tensors, Map<String, String> metadata) {}

    private static Header parseHeader(Path path, String text, long dataLength) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw invalid(path, "its header is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid(path, "its header is not a JSON object");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (METADATA.equals(field.getKey())) {
                metadata = metadata(path, field.getValue());
            } else {
                tensors.put(field.getKey(), entry(path, field.getKey(), field.getValue(), dataLength));
            }
        }
        List<TensorEntry> byOffset = new ArrayList<>(tensors.values());
        byOffset.removeIf(t -> t.byteLength() == 0);
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorEntry previous = byOffset.get(i - 1);
            TensorEntry next = byOffset.get(i);
            if (next.begin() < previous.end()) {
                throw invalid(path, "the data of tensors " + previous.name() + " and " + next.name() + " overlap");
            }
        }
        return new Header(Collections.unmodifiableMap(tensors), metadata);
    }

    private static TensorEntry entry(Path path, String name, JsonNode node, long dataLength) throws IOException {
        String where = "tensor " + name;
        if (name.isEmpty() || !node.isObject()) {
            throw invalid(path, where + " is not described by an object");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!List.of("dtype", "shape", "data_offsets").contains(key)) {
                throw invalid(path, where + " has an unknown field " + key);
            }
        }
        SafetensorsDtype dtype = SafetensorsDtype.byName(node.path("dtype").asText(""))
                .orElseThrow(() -> invalid(path, where + " has an unknown dtype " + node.get("dtype")));
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw invalid(path, where + " needs a shape array and data_offsets [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                shape[i] = nonNegative(path, where + " shape", shapeNode.get(i));
                elements = Math.multiplyExact(elements, shape[i]);
            }
            long begin = nonNegative(path, where + " data_offsets", offsets.get(0));
            long end = nonNegative(path, where + " data_offsets", offsets.get(1));
            long expected = Math.multiplyExact(elements, dtype.bytes());
            if (end < begin || end > dataLength) {
                throw invalid(path, where + " has data_offsets [" + begin + ", " + end + "] outside the " + dataLength
                        + " bytes of data");
            }
            if (end - begin != expected) {
                throw invalid(path, where + " is " + dtype + java.util.Arrays.toString(shape) + " = " + expected
                        + " bytes, but its data_offsets span " + (end - begin));
            }
            return new TensorEntry(name, dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw invalid(path, where + " has a shape too large to address");
        }
    }

    private static long nonNegative(Path path, String where, JsonNode n) throws IOException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw invalid(path, where + " must hold non-negative integers, got " + n);
        }
        return n.asLong();
    }

    private static Map<String, String> metadata(Path path, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw invalid(path, "its __metadata__ is not an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw invalid(path, "its __metadata__ value " + e.getKey() + " is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
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
        return new IOException(path + " is not a valid safetensors file: " + problem);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
