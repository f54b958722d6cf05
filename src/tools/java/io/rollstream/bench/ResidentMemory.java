package io.rollstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's resident memory from {@code /proc/self/status} (Linux): everything the JVM and
 * PyTorch hold in RAM — Java heap pages in use, native tensors, libraries — which is what a
 * machine or a container limit has to accommodate.
 */
public final class ResidentMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ResidentMemory() {}

    /** Whether this system reports resident memory ({@code /proc/self/status} exists). */
    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** Resident set size now ({@code VmRSS}), in bytes. */
    public static long current() {
        return field("VmRSS");
    }

    /** Highest resident set size since the process started or the last {@link #resetPeak} ({@code VmHWM}), in bytes. */
    public static long peak() {
        return field("VmHWM");
    }

    /**
     * Makes {@link #peak} start again from the current resident size (Linux 4.0+: writing 5 to
     * {@code /proc/self/clear_refs}), so that a peak measures one phase of the process.
     */
    public static void resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the peak resident size (" + CLEAR_REFS + ")", e);
        }
    }

    /** A {@code kB} line of {@code /proc/self/status}, in bytes. */
    static long field(String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(STATUS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
        return parse(lines, name);
    }

    static long parse(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        throw new IllegalStateException(name + " is missing from " + STATUS);
    }
}
