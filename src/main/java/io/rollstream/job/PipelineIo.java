package io.rollstream.job;

import io.rollstream.rollout.GroupSamplerFactory;
import io.rollstream.source.JsonlProblems;
import io.rollstream.source.SourcedProblem;
import io.rollstream.types.InvalidRecord;
import java.util.Optional;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The swappable edges of the job: where problems come from and what generates groups. Production
 * uses the configured source and the DJL model; tests can put in fixed problems and a fake sampler.
 */
public record PipelineIo(ProblemStreamFactory problems, GroupSamplerFactory sampler) {

    /** Creates the problem stream in a job graph. */
    @FunctionalInterface
    public interface ProblemStreamFactory {
        ProblemInput create(StreamExecutionEnvironment env);
    }

    /**
     * A source's problems (each with where it was read) and, for sources that can meet bad records
     * (JSONL files), the records it refused; these join the validation failures in
     * {@code invalid-records.jsonl}.
     *
     * @param problems problems to validate and generate
     * @param invalid refused records, or null for a source that refuses none
     */
    public record ProblemInput(DataStream<SourcedProblem> problems, DataStream<InvalidRecord> invalid) {

        /** A source that never refuses a record (e.g. a built-in task). */
        public static ProblemInput of(DataStream<SourcedProblem> problems) {
            return new ProblemInput(problems, null);
        }

        /** A JSONL source with the lines it refused. */
        public static ProblemInput of(JsonlProblems.Streams jsonl) {
            return new ProblemInput(jsonl.problems(), jsonl.invalid());
        }

        public Optional<DataStream<InvalidRecord>> invalidRecords() {
            return Optional.ofNullable(invalid);
        }
    }
}
