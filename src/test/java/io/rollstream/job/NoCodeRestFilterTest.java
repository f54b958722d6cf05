package io.rollstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which REST requests a local run refuses: those that carry code, however the path is spelled. */
class NoCodeRestFilterTest {

    @ParameterizedTest
    @CsvSource({
            // job submission, versioned or not, with stray slashes, percent-encoded, with a query
            "POST, /jobs, true", "POST, /v1/jobs, true", "POST, //jobs/, true", "POST, /%6aobs, true",
            "POST, /jobs?x=1, true", "PUT, /jobs, true",
            // everything about uploaded jars
            "POST, /jars/upload, true", "GET, /jars, true", "POST, /jars/abc.jar/run, true",
            "GET, /v1/jars/abc.jar/plan, true", "DELETE, /jars/abc.jar, true",
            // what the web UI and rollstream stop use
            "GET, /jobs, false", "GET, /v1/jobs/overview, false", "POST, /jobs/0123/stop, false",
            "GET, /jobs/0123/savepoints/abc, false", "PATCH, /jobs/0123, false", "GET, /, false",
            "GET, /config, false", "GET, /jobsx, false"})
    void refusesExactlyTheRequestsThatCarryCode(String method, String uri, boolean refused) {
        assertThat(NoCodeRestFilter.runsCode(HttpMethod.valueOf(method), uri)).isEqualTo(refused);
    }
}
