package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which REST requests a local run refuses: those that carry code, however the path is spelled, and
 * those addressed to a host name other than the loopback's.
 */
class LocalRestGuardTest {

    @ParameterizedTest
    @CsvSource({
        // job submission, versioned or not, with stray slashes, percent-encoded, with a query
        "POST, /jobs, true",
        "POST, /v1/jobs, true",
        "POST, //jobs/, true",
        "POST, /%6aobs, true",
        "POST, /jobs?x=1, true",
        "PUT, /jobs, true",
        // everything about uploaded jars
        "POST, /jars/upload, true",
        "GET, /jars, true",
        "POST, /jars/abc.jar/run, true",
        "GET, /v1/jars/abc.jar/plan, true",
        "DELETE, /jars/abc.jar, true",
        // what the web UI and rollstream stop use
        "GET, /jobs, false",
        "GET, /v1/jobs/overview, false",
        "POST, /jobs/0123/stop, false",
        "GET, /jobs/0123/savepoints/abc, false",
        "PATCH, /jobs/0123, false",
        "GET, /, false",
        "GET, /config, false",
        "GET, /jobsx, false"
    })
    void refusesExactlyTheRequestsThatCarryCode(String method, String uri, boolean refused) {
        assertThat(LocalRestGuard.runsCode(HttpMethod.valueOf(method), uri)).isEqualTo(refused);
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "NONE",
            value = {
                "localhost:8081, true",
                "LOCALHOST, true",
                "127.0.0.1:41234, true",
                "[::1]:8081, true",
                "[::1], true",
                "NONE, true",
                // a page that rebound its own name to 127.0.0.1, and other names
                "evil.example:8081, false",
                "evil.example, false",
                "localhost.evil.example, false",
                "127.0.0.1.nip.io:8081, false",
                "::1, false",
                "'', false"
            })
    void answersLoopbackHostNamesOnly(String host, boolean loopback) {
        assertThat(LocalRestGuard.isLoopbackHost(host)).isEqualTo(loopback);
    }
}
