package io.rollstream.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollstream.common.Json;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mechanism the GPU image relies on (docker/README.md), proven offline with the CPU libtorch: DJL
 * loads a libtorch directory named by {@code PYTORCH_LIBRARY_PATH} — here the libraries of the
 * {@code pytorch-native-cpu} jar, unpacked as a PyTorch wheel's {@code torch/lib} is — with that jar
 * off the class path, a fresh DJL cache and {@code ai.djl.offline=true}: the JNI glue comes from the
 * {@code pytorch-jni} jar for {@code PYTORCH_FLAVOR}, nothing is downloaded. And the flavor the
 * Dockerfile names has its JNI glue in that jar, for the PyTorch version it names.
 */
@Tag("djl")
class LibtorchOverrideTest {

    /** The PyTorch version DJL 0.35.1's natives are (the pom pins them). */
    private static final String PYTORCH_VERSION = "2.7.1";

    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");

    private static Path nativeJar;
    private static Path jniJar;
    private static Path libtorch;

    @BeforeAll
    static void unpackTheCpuLibtorch() throws IOException {
        nativeJar = classPathJar("pytorch-native-cpu");
        jniJar = classPathJar("pytorch-jni");
        assumeThat(nativeJar).as("the CPU natives on the test class path").isNotNull();
        libtorch = Path.of("target", "libtorch-override", "lib").toAbsolutePath();
        Files.createDirectories(libtorch);
        try (ZipFile jar = new ZipFile(nativeJar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = jar.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().startsWith("pytorch/cpu/") && !entry.isDirectory()) {
                    Path target = libtorch.resolve(
                            Path.of(entry.getName()).getFileName().toString());
                    if (!Files.exists(target) || Files.size(target) != entry.getSize()) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
        assertThat(libtorch.resolve("libtorch.so")).exists();
    }

    @Test
    void djlLoadsTheLibtorchThatPytorchLibraryPathNamesOfflineWithoutTheNativeJar(@TempDir Path cache)
            throws Exception {
        Result r = engineCommand(
                cache,
                Map.of(
                        "PYTORCH_LIBRARY_PATH",
                        libtorch.toString(),
                        "PYTORCH_VERSION",
                        PYTORCH_VERSION,
                        "PYTORCH_FLAVOR",
                        "cpu"));
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode report = Json.mapper().readTree(r.lastLine());
        assertThat(report.path("libtorch").asText()).isEqualTo(libtorch.toString());
        assertThat(report.path("version").asText()).isEqualTo(PYTORCH_VERSION);
        assertThat(report.path("offline").asBoolean()).isTrue();
        assertThat(cache.resolve("pytorch/" + PYTORCH_VERSION + "-cpu-linux-x86_64/0.35.1-libdjl_torch.so"))
                .as("the JNI glue, taken from the pytorch-jni jar")
                .exists();
    }

    @Test
    void withoutPytorchFlavorDjlLooksForAPreCxx11GlueAndOfflineItFails(@TempDir Path cache) throws Exception {
        Result r = engineCommand(
                cache, Map.of("PYTORCH_LIBRARY_PATH", libtorch.toString(), "PYTORCH_VERSION", PYTORCH_VERSION));
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("cpu-precxx11/libdjl_torch.so");
    }

    @Test
    void theDockerfilesFlavorHasItsJniGlueInThePytorchJniJar() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String version = value(dockerfile, "PYTORCH_VERSION");
        String flavor = value(dockerfile, "PYTORCH_FLAVOR");
        assertThat(version).isEqualTo(PYTORCH_VERSION);
        assertThat(dockerfile)
                .contains("torch==${TORCH_VERSION}")
                .contains("TORCH_VERSION=" + PYTORCH_VERSION)
                .contains("whl/" + flavor);
        try (ZipFile jar = new ZipFile(jniJar.toFile())) {
            assertThat(jar.getEntry("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"))
                    .as(flavor)
                    .isNotNull();
            Properties properties = new Properties();
            try (InputStream in = jar.getInputStream(jar.getEntry("jnilib/pytorch.properties"))) {
                properties.load(in);
            }
            assertThat(properties.getProperty("jni_version")).startsWith(version + "-0.35.1");
        }
    }

    /** {@code NAME=value} as the CUDA image's {@code ENV PYTORCH_LIBRARY_PATH=...} line sets it. */
    private static String value(String dockerfile, String name) {
        Matcher line = Pattern.compile("(?m)^ENV PYTORCH_LIBRARY_PATH=.*$").matcher(dockerfile);
        assertThat(line.find())
                .as("the ENV line of the CUDA image in " + DOCKERFILE)
                .isTrue();
        Matcher m = Pattern.compile("\\b" + name + "=(\\S+)").matcher(line.group());
        assertThat(m.find()).as(name + " in " + line.group()).isTrue();
        return m.group(1);
    }

    private record Result(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** {@code rollstream engine} in a JVM of its own, without the CPU natives jar, with a fresh DJL cache. */
    private static Result engineCommand(Path cache, Map<String, String> env) throws IOException, InterruptedException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("pytorch-native-cpu"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Dai.djl.offline=true",
                "-cp",
                classPath,
                "io.rollstream.cli.RollstreamCli",
                "engine"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "ENGINE_CACHE_DIR")
                .forEach(environment::remove);
        environment.put("DJL_CACHE_DIR", cache.toString());
        environment.putAll(env);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    private static Path classPathJar(String artifact) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith(artifact + "-"))
                .map(Path::of)
                .findFirst()
                .orElse(null);
    }
}
