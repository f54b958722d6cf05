package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run as an attacker on the same machine sees it (issue 13 §1): every socket the JVM
 * listens on is bound to loopback, the REST endpoint takes no jar and no job graph (the two ways to
 * run code through it), allows no foreign origin and answers no request addressed to another host
 * name (DNS rebinding), Prometheus serves on loopback, and stopping
 * with a savepoint through REST ({@code rollstream stop}) still works. The run's temporary files
 * (Flink's web, I/O and BLOB directories) are in the run directory while it runs, and gone after.
 */
@Tag("djl")
class LocalRunSecurityITCase {

    /** Fresh problems for ever and many steps: the test stops the run itself. */
    private static final PipelineFixtures.Knobs KNOBS = new PipelineFixtures.Knobs(1, 16, 2.0, 1, 2, 1000, null, null);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @TempDir
    Path runDir;

    @Test
    void aLocalRunAcceptsNoCodeAndListensOnLoopbackOnly() throws Exception {
        assumeTrue(ListeningSockets.available(), "needs Linux's /proc to list the JVM's sockets");
        PipelinePlan plan = PipelineFixtures.plan(runDir, KNOBS);
        int prometheus = freePort();
        // The web UI on, as in the quickstart, and the Prometheus reporter: every listener a run can have.
        PipelineRunner.Settings options = PipelineRunner.Settings.inRunDirectory(true, 0, plan.slots(), 1_000, null, 5)
                .withPrometheus(prometheus);
        CompletableFuture<PipelineRunner.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return PipelineRunner.run(
                        plan, PipelineFixtures.slowed(PipelineFixtures.io(plan, 11, 0), 100), options, line -> {});
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (RunInvariants.steps(runDir).size() < 2 || !Files.exists(runDir.resolve(RunControl.FILE))) {
            assertThat(run).as("the run ended before it could be inspected").isNotDone();
            assertThat(System.currentTimeMillis())
                    .as("two learner steps within 2 minutes")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        String rest = RunControl.handle(runDir).restUrl();
        int restPort = URI.create(rest).getPort();

        // Every socket this JVM listens on is on loopback, among them REST and Prometheus.
        List<InetSocketAddress> listening = ListeningSockets.ofThisProcess();
        assertThat(listening)
                .as("listening sockets")
                .allSatisfy(a -> assertThat(a.getAddress().isLoopbackAddress())
                        .as("%s is bound to loopback", a)
                        .isTrue());
        assertThat(listening).extracting(InetSocketAddress::getPort).contains(restPort, prometheus);

        // No jar upload and no job submission: the REST API runs no code of anyone's.
        HttpResponse<String> upload =
                post(rest + "/jars/upload", "multipart/form-data; boundary=" + BOUNDARY, multipartJar());
        assertThat(upload.statusCode())
                .as("POST /jars/upload: %s", upload.body())
                .isBetween(400, 499);
        assertThat(get(rest + "/jars").statusCode()).isBetween(400, 499);
        try (Stream<Path> files = Files.walk(RunPaths.under(runDir, null).tmp().resolve("web-upload"))) {
            assertThat(files.filter(Files::isRegularFile)).as("uploads kept").isEmpty();
        }
        for (String path : List.of("/jobs", "/v1/jobs", "//jobs/", "/%6aobs")) {
            HttpResponse<String> submit = post(rest + path, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(submit.statusCode())
                    .as("POST %s: %s", path, submit.body())
                    .isEqualTo(403);
            assertThat(submit.body()).contains("job submission");
        }
        // A page that rebound its domain name to 127.0.0.1 (DNS rebinding) is refused, even a read.
        assertThat(rawGet(restPort, "/config", "evil.example:" + restPort)).startsWith("HTTP/1.1 403");
        assertThat(rawGet(restPort, "/config", "localhost:" + restPort)).startsWith("HTTP/1.1 200");

        // The REST API answers reads, and no other origin's page may read the answers.
        HttpResponse<String> config = http.send(
                HttpRequest.newBuilder(URI.create(rest + "/config"))
                        .header("Origin", "http://evil.example")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.headers().allValues("Access-Control-Allow-Origin"))
                .doesNotContain("*", "http://evil.example");

        // Prometheus answers on loopback with the job's metrics.
        assertThat(get("http://127.0.0.1:" + prometheus + "/metrics").body()).contains("flink_taskmanager_job_task");

        // The run's temporary files are in its own directory.
        assertThat(RunPaths.under(runDir, null).tmp()).isDirectory();

        // rollstream stop: stop with a savepoint through REST.
        String savepoint = RunControl.stop(runDir, Duration.ofMinutes(2));
        assertThat(run.get().status()).isEqualTo(JobStatus.FINISHED);
        assertThat(Path.of(URI.create(savepoint))).isDirectory();
        assertThat(RunPaths.under(runDir, null).tmp())
                .as("temporary files removed after the run")
                .doesNotExist();
    }

    private static final String BOUNDARY = "rollstream-test-boundary";

    /** A multipart body with a small jar whose main class would run if the upload were accepted. */
    private static byte[] multipartJar() throws IOException {
        ByteArrayOutputStream jar = new ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        manifest.getMainAttributes().putValue("Main-Class", "Evil");
        try (JarOutputStream out = new JarOutputStream(jar, manifest)) {
            out.putNextEntry(new JarEntry("Evil.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
            out.closeEntry();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"evil.jar\""
                        + "\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(jar.toByteArray());
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private HttpResponse<String> post(String url, String contentType, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The status line and headers of a GET with the given {@code Host} header (Java's HttpClient sets its own). */
    private static String rawGet(int port, String path, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
