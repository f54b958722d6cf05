package io.rollstream.source;

import io.rollstream.tasks.Problem;
import io.rollstream.types.InvalidRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One problem per id, keyed by problem id. The first record read with an id claims it: its origin
 * and a fingerprint of its content (task, prompt, answer) stay in keyed state. A later record with
 * that id and the same content passes — the same line read again in a later epoch, or an identical
 * copy, is the same problem — while one with different content is refused as {@code duplicate_id}
 * on {@link JsonlProblems#INVALID}, naming where the first was read. Without this, two different
 * problems sharing an id would become admissions of one key in the rollout stage, and the second
 * might never be generated or reported.
 *
 * <p>Its state is one small entry (origin and 8 bytes) per distinct id of the data, kept for the
 * whole run (an id may come back in any later epoch or file); the rollout stage's per-problem state
 * is separate and bounded on its own. Built-in tasks need no such stage: their ids are unique by
 * construction.
 */
final class RefuseDuplicateIds extends KeyedProcessFunction<String, SourcedProblem, SourcedProblem> {

    /** Longest id shown in a reason. */
    private static final int MAX_ID_CHARS = 100;

    /**
     * Where an id was first read and what it held.
     *
     * @param origin file and line of the record that claimed the id
     * @param fingerprint the first 8 bytes of SHA-256 over its task, prompt and answer
     */
    public record FirstRead(String origin, long fingerprint) {}

    private transient ValueState<FirstRead> first;

    @Override
    public void open(OpenContext context) {
        first = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("first-read", TypeInformation.of(FirstRead.class)));
    }

    @Override
    public void processElement(SourcedProblem read, Context ctx, Collector<SourcedProblem> out) throws Exception {
        long fingerprint = fingerprint(read.problem());
        FirstRead claimed = first.value();
        if (claimed == null) {
            first.update(new FirstRead(read.origin(), fingerprint));
            out.collect(read);
        } else if (claimed.fingerprint() == fingerprint) {
            out.collect(read);
        } else {
            Problem p = read.problem();
            ctx.output(JsonlProblems.INVALID, InvalidRecord.of(read.origin(), p.prompt(), reason(p.id(), claimed)));
        }
    }

    static String reason(String id, FirstRead claimed) {
        String shown = id.length() > MAX_ID_CHARS ? id.substring(0, MAX_ID_CHARS) + "…" : id;
        return "duplicate_id: id '" + shown + "' was first read at " + claimed.origin() + " with a different prompt,"
                + " answer or task; give every problem its own id (or none, to derive it from the prompt)";
    }

    /** The first 8 bytes of SHA-256 over task, prompt and answer, each followed by a NUL. */
    static long fingerprint(Problem p) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {p.task(), p.prompt(), p.answer()}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
