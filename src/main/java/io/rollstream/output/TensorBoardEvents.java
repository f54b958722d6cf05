package io.rollstream.output;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}): TFRecords, each one
 * {@code Event} protobuf — first the file version, then one {@code Summary} of scalar values per
 * step. TensorBoard, {@code tensorboard.backend.event_processing} and W&B's TensorBoard sync read it.
 *
 * <p>The format, as TensorFlow's {@code record_writer.cc} and {@code event.proto} define it:
 * a record is its length (uint64, little-endian), the masked CRC32C of those 8 bytes (uint32 LE),
 * the data, and the data's masked CRC32C; a masked CRC is {@code ((crc >>> 15) | (crc << 17)) +
 * 0xa282ead8}. {@code Event}: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
 * summary = 5; {@code Summary}: value = 1 (repeated); {@code Summary.Value}: tag = 1, simple_value = 2
 * (float).
 */
public final class TensorBoardEvents implements AutoCloseable {

    /** The version record every event file starts with. */
    static final String FILE_VERSION = "brain.Event:2";

    private static final int EVENT_WALL_TIME = 1;
    private static final int EVENT_STEP = 2;
    private static final int EVENT_FILE_VERSION = 3;
    private static final int EVENT_SUMMARY = 5;
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1;
    private static final int VALUE_SIMPLE_VALUE = 2;
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;

    private TensorBoardEvents(Path file) throws IOException {
        this.file = file;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        writeEvent(System.currentTimeMillis() / 1000.0, 0, null, FILE_VERSION);
    }

    /**
     * A new event file in {@code dir} (created when missing). Each writer has a file of its own: a
     * resumed run adds one, and TensorBoard, reading them all, replaces the steps a restore redid.
     */
    public static TensorBoardEvents create(Path dir) throws IOException {
        Files.createDirectories(dir);
        long seconds = System.currentTimeMillis() / 1000;
        String host = hostName();
        Path file = dir.resolve("events.out.tfevents." + seconds + "." + host);
        for (int n = 1; Files.exists(file); n++) {
            file = dir.resolve("events.out.tfevents." + seconds + "." + host + "." + n);
        }
        return new TensorBoardEvents(file);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    public Path file() {
        return file;
    }

    /** One event at {@code step} holding the scalars {@code tag → value}; flushed, so a reader sees it at once. */
    public synchronized void scalars(long step, double wallTimeSeconds, Map<String, Double> values) throws IOException {
        writeEvent(wallTimeSeconds, step, values, null);
        out.flush();
    }

    private void writeEvent(double wallTime, long step, Map<String, Double> values, String fileVersion)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream event = CodedOutputStream.newInstance(bytes);
        event.writeDouble(EVENT_WALL_TIME, wallTime);
        event.writeInt64(EVENT_STEP, step);
        if (fileVersion != null) {
            event.writeString(EVENT_FILE_VERSION, fileVersion);
        } else {
            event.writeByteArray(EVENT_SUMMARY, summary(values));
        }
        event.flush();
        writeRecord(bytes.toByteArray());
    }

    private static byte[] summary(Map<String, Double> values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream summary = CodedOutputStream.newInstance(bytes);
        for (Map.Entry<String, Double> v : values.entrySet()) {
            ByteArrayOutputStream valueBytes = new ByteArrayOutputStream();
            CodedOutputStream value = CodedOutputStream.newInstance(valueBytes);
            value.writeString(VALUE_TAG, v.getKey());
            value.writeFloat(VALUE_SIMPLE_VALUE, v.getValue().floatValue());
            value.flush();
            summary.writeByteArray(SUMMARY_VALUE, valueBytes.toByteArray());
        }
        summary.flush();
        return bytes.toByteArray();
    }

    private void writeRecord(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data.length)
                .array();
        out.write(length);
        out.write(littleEndian(maskedCrc(length)));
        out.write(data);
        out.write(littleEndian(maskedCrc(data)));
    }

    /** The CRC32C of {@code bytes}, masked as TFRecords store it. */
    static int maskedCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(value)
                .array();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
