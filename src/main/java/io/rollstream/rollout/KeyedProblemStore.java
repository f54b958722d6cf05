package io.rollstream.rollout;

import io.rollstream.tasks.Problem;
import java.util.function.Consumer;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The {@link ProblemStore} of the rollout operator: Flink keyed state, one key per problem. Every
 * call sets its problem's key first, so the scheduler never depends on the key context a record or
 * a mail left behind.
 */
final class KeyedProblemStore implements ProblemStore {

    private final Consumer<Object> setKey;
    private final ValueState<ProblemState> problems;
    private final ValueState<GroupRequest> pending;
    private final MapState<Long, Problem> waiting;

    /**
     * @param setKey sets the operator's current key
     * @param problems per problem, its {@link ProblemState}
     * @param pending per problem, its group in flight
     * @param waiting per problem, its entries in the admission queue by arrival sequence
     */
    KeyedProblemStore(
            Consumer<Object> setKey,
            ValueState<ProblemState> problems,
            ValueState<GroupRequest> pending,
            MapState<Long, Problem> waiting) {
        this.setKey = setKey;
        this.problems = problems;
        this.pending = pending;
        this.waiting = waiting;
    }

    @Override
    public ProblemState state(String problemId) throws Exception {
        setKey.accept(problemId);
        return problems.value();
    }

    @Override
    public void setState(String problemId, ProblemState state) throws Exception {
        setKey.accept(problemId);
        problems.update(state);
    }

    @Override
    public GroupRequest pending(String problemId) throws Exception {
        setKey.accept(problemId);
        return pending.value();
    }

    @Override
    public void setPending(String problemId, GroupRequest request) throws Exception {
        setKey.accept(problemId);
        if (request == null) {
            pending.clear();
        } else {
            pending.update(request);
        }
    }

    @Override
    public void putWaiting(String problemId, long sequence, Problem problem) throws Exception {
        setKey.accept(problemId);
        waiting.put(sequence, problem);
    }

    @Override
    public Problem takeWaiting(String problemId, long sequence) throws Exception {
        setKey.accept(problemId);
        Problem problem = waiting.get(sequence);
        waiting.remove(sequence);
        return problem;
    }

    @Override
    public void clear(String problemId) throws Exception {
        setKey.accept(problemId);
        problems.clear();
        pending.clear();
        waiting.clear();
    }
}
