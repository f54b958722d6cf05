package io.rollstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@code bench} command in a JVM of its own — this JVM's java, options and class path, with
 * the PyTorch intra-op thread count it is meant to run with — and returns its JSON line. A fresh
 * JVM gives each benchmark its own thread pools, and a memory measurement a process whose resident
 * size nothing else has grown.
 */
final class OwnJvm {

    private static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    private OwnJvm() {}

    /** {@code rollstream bench ARGS} with {@code threads} intra-op threads; its last JSON line. */
    static JsonNode bench(List<String> benchArgs, int threads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-D" + THREADS_PROPERTY + "=")) {
                command.add(option);
            }
        }
        command.add("-D" + THREADS_PROPERTY + "=" + threads);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.rollstream.cli.RollstreamCli");
        command.add("bench");
        command.addAll(benchArgs);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String json = stdout.lines()
                .filter(l -> l.startsWith("{"))
                .reduce((a, b) -> b)
                .orElse(null);
        if (code != 0 || json == null) {
            throw new IllegalStateException(
                    "bench " + String.join(" ", benchArgs) + " failed (exit " + code + "); its output:\n" + stdout);
        }
        return Json.mapper().readTree(json);
    }
}
