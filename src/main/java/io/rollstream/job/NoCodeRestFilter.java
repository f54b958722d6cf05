package io.rollstream.job;

import org.apache.flink.runtime.rest.FileUploadHandler;
import org.apache.flink.runtime.rest.handler.util.HandlerUtils;
import org.apache.flink.runtime.rest.messages.ErrorResponseBody;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandler;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelHandlerContext;
import org.apache.flink.shaded.netty4.io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpMethod;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpRequest;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.HttpResponseStatus;
import org.apache.flink.shaded.netty4.io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.flink.shaded.netty4.io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Refuses the two REST requests that run someone's code in a local run's JVM: a job submission
 * ({@code POST /jobs}: a serialized job graph with its jars, as Flink's CLI sends it) and anything
 * under {@code /jars} (upload, run, plan; {@code web.submit.enable: false} already leaves those
 * unrouted). Every other request — the web UI's reads, {@code rollstream stop}'s
 * {@code POST /jobs/:id/stop} — passes. It sits in the REST server's pipeline after the HTTP
 * decoding ({@link NoCodeRestFilterFactory}), and matches paths as Flink's router does: decoded,
 * without the slashes at either end, with or without the API version ({@code /v1/jobs}).
 */
@ChannelHandler.Sharable
final class NoCodeRestFilter extends ChannelInboundHandlerAdapter {

    private final Map<String, String> responseHeaders;

    NoCodeRestFilter(Map<String, String> responseHeaders) {
        this.responseHeaders = responseHeaders;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpRequest request) || !runsCode(request.method(), request.uri())) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FileUploadHandler.getMultipartFileUploads(ctx).close(); // what the upload wrote to disk
        } catch (IOException e) {
            // the upload directory is the run's own and is removed with it
        } finally {
            HandlerUtils.sendErrorResponse(ctx, request, new ErrorResponseBody(
                    "job submission and jar upload are disabled on a local Rollstream run"),
                    HttpResponseStatus.FORBIDDEN, responseHeaders);
            ReferenceCountUtil.release(msg);
        }
    }

    /** Whether {@code method uri} submits a job or touches uploaded jars. */
    static boolean runsCode(HttpMethod method, String uri) {
        List<String> path = Arrays.stream(new QueryStringDecoder(uri).path().split("/"))
                .filter(segment -> !segment.isEmpty()).toList();
        if (!path.isEmpty() && path.get(0).matches("v\\d+")) {
            path = path.subList(1, path.size());
        }
        if (path.isEmpty()) {
            return false;
        }
        return path.get(0).equals("jars")
                || (path.get(0).equals("jobs") && path.size() == 1 && !HttpMethod.GET.equals(method));
    }
}
