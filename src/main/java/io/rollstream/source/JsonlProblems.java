package io.rollstream.source;

import io.rollstream.types.InvalidRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.source.hybrid.HybridSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * Problems read from JSONL files: one problem per line (see {@link ProblemParser} for the rules),
 * refused lines with file, line and reason, and a record whose id an earlier record with different
 * content claimed refused as {@code duplicate_id} ({@link RefuseDuplicateIds}).
 *
 * <p>Bounded mode reads the path {@code epochs} times in sequence: a {@link HybridSource} of one
 * {@link FileSource} per epoch, each switching to the next when it has read everything. Watch mode
 * reads one {@code FileSource} that lists the path every second and picks up new files for ever (a
 * file is read once, when first seen, so write files elsewhere and move them in, or give them a
 * name starting with '.' until they are complete).
 *
 * <p>Order: the source, the parser and the duplicate-id check run with parallelism 1; files are read by ascending path and
 * lines in file order, the same in every epoch. Unlike the built-in task source there is no shuffle:
 * shuffle the file itself if the order matters. The source position (files done, lines read in the
 * current file, current epoch) is checkpointed by Flink, so a restore continues where it stopped.
 */
public final class JsonlProblems {

    /** Refused lines with their reason: the side output of the parser and of the duplicate-id check. */
    static final OutputTag<InvalidRecord> INVALID = new OutputTag<>("jsonl-invalid-records") {};

    /** How often a watching source lists its path. */
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    private JsonlProblems() {}

    /**
     * A JSONL source's problems and the lines it refused.
     *
     * @param problems problems with their file and line, at most one content per id
     * @param invalid lines that are not problems, and problems refused as {@code duplicate_id}
     */
    public record Streams(DataStream<SourcedProblem> problems, DataStream<InvalidRecord> invalid) {}

    /** Adds the source, the parser and the duplicate-id check to {@code env}. */
    public static Streams stream(StreamExecutionEnvironment env, JsonlSpec spec) {
        return stream(env, spec, PausingSource.PauseSignal.NEVER);
    }

    /** As above, reading nothing while {@code pause} holds (a stop with a savepoint is under way). */
    public static Streams stream(StreamExecutionEnvironment env, JsonlSpec spec, PausingSource.PauseSignal pause) {
        SingleOutputStreamOperator<SourcedProblem> parsed = env.fromSource(
                        pausing(source(spec), pause),
                        WatermarkStrategy.noWatermarks(),
                        "jsonl-problems",
                        TypeInformation.of(SourceLine.class)) // a HybridSource does not tell its type
                .uid("jsonl-problems")
                .setParallelism(1)
                .process(new ParseProblems(new ProblemParser(spec.fields(), spec.defaultTask())))
                .name("parse-problems")
                .uid("parse-problems")
                .setParallelism(1);
        SingleOutputStreamOperator<SourcedProblem> unique = parsed.keyBy(
                        (KeySelector<SourcedProblem, String>)
                                read -> read.problem().id(),
                        Types.STRING)
                .process(new RefuseDuplicateIds())
                .name("refuse-duplicate-ids")
                .uid("refuse-duplicate-ids")
                .setParallelism(1);
        return new Streams(unique, parsed.getSideOutput(INVALID).union(unique.getSideOutput(INVALID)));
    }

    private static <S extends SourceSplit, E> Source<SourceLine, S, E> pausing(
            Source<SourceLine, S, E> source, PausingSource.PauseSignal pause) {
        return new PausingSource<>(source, pause);
    }

    static Source<SourceLine, ?, ?> source(JsonlSpec spec) {
        if (spec.watch()) {
            return files(spec).monitorContinuously(WATCH_INTERVAL).build();
        }
        HybridSource.HybridSourceBuilder<SourceLine, ?> epochs =
                HybridSource.builder(files(spec).build());
        for (int e = 1; e < spec.epochs(); e++) {
            epochs = epochs.addSource(files(spec).build());
        }
        return epochs.build();
    }

    private static FileSource.FileSourceBuilder<SourceLine> files(JsonlSpec spec) {
        FileSource.FileSourceBuilder<SourceLine> builder =
                FileSource.forBulkFileFormat(new NumberedLines(), new Path(spec.path()));
        builder.setSplitAssigner(PathOrderAssigner.provider());
        return builder;
    }
}
