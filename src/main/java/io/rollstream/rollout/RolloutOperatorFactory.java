package io.rollstream.rollout;

import io.rollstream.policy.PolicyStore;
import io.rollstream.tasks.Problem;
import io.rollstream.types.ScoredGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Builds {@link RolloutOperator}s with the task's mailbox (Flink 2.x construction path). */
public final class RolloutOperatorFactory extends AbstractStreamOperatorFactory<ScoredGroup>
        implements OneInputStreamOperatorFactory<Problem, ScoredGroup> {

    private final RolloutSettings settings;
    private final GroupSamplerFactory samplerFactory;
    private final PolicyStore store;

    public RolloutOperatorFactory(RolloutSettings settings, GroupSamplerFactory samplerFactory, PolicyStore store) {
        this.settings = settings;
        this.samplerFactory = samplerFactory;
        this.store = store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<ScoredGroup>> T createStreamOperator(StreamOperatorParameters<ScoredGroup> p) {
        return (T) new RolloutOperator(p, settings, samplerFactory, store);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return RolloutOperator.class;
    }
}
