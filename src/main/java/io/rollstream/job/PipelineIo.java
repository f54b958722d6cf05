package io.rollstream.job;

import io.rollstream.rollout.GroupSamplerFactory;
import io.rollstream.tasks.Problem;

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
        DataStream<Problem> create(StreamExecutionEnvironment env);
    }
}
