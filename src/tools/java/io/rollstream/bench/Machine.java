package io.rollstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a benchmark ran on, for the record: cores the JVM sees and the CPU model named by
 * {@code /proc/cpuinfo} ("unknown" where there is none).
 */
public record Machine(int cores, String cpuModel, String os, String java) {

    public static Machine current() {
        List<String> cpuinfo;
        try {
            cpuinfo = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | SecurityException e) {
            cpuinfo = List.of();
        }
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(cpuinfo),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }

    /** The first {@code model name} line of /proc/cpuinfo. */
    static String cpuModel(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            if (line.startsWith("model name") && line.contains(":")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }
}
