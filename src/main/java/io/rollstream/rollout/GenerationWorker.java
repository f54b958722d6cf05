package io.rollstream.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The generation thread of one rollout subtask. Requests queue up while a forward pass runs; each
 * pass takes everything queued (up to a limit), so several problems share the next batch
 * (continuous batching). A list handed over with {@link #submitWave} is never split or merged with
 * other requests: it is generated in one call, so its passes do not depend on timing. When a pass
 * starts, its groups are pinned to the newest policy version the subtask has seen at that moment,
 * so a group admitted under version v that waited while v + 1 came out is generated with v + 1
 * rather than going stale for nothing. Results and failures go back to the task thread through
 * callbacks that the operator routes into its mailbox; this class never touches Flink state.
 */
final class GenerationWorker implements Dispatch, AutoCloseable {

    /** Queued work: one request, or a whole list generated on its own. */
    private record Work(List<GroupRequest> requests, boolean whole) {}

    private final LinkedBlockingQueue<Work> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param newestVersion the newest policy version the subtask has seen (set by its policy polls)
     */
    GenerationWorker(
            String name,
            GroupSampler sampler,
            int maxGroupsPerPass,
            LongSupplier newestVersion,
            Consumer<List<SampledGroup>> onResults,
            Consumer<Throwable> onFailure) {
        this.thread = new Thread(
                () -> {
                    try {
                        while (running) {
                            Work first = queue.take();
                            List<GroupRequest> batch = new ArrayList<>(first.requests());
                            while (!first.whole()
                                    && batch.size() < maxGroupsPerPass
                                    && queue.peek() != null
                                    && !queue.peek().whole()) {
                                batch.addAll(queue.poll().requests()); // single requests share a pass
                            }
                            onResults.accept(sampler.generate(pinned(batch, newestVersion.getAsLong())));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Throwable t) {
                        if (running) {
                            onFailure.accept(t);
                        }
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
    }

    private static List<GroupRequest> pinned(List<GroupRequest> batch, long version) {
        if (version < 0) {
            throw new IllegalStateException("a generation pass started before any policy version was visible");
        }
        List<GroupRequest> out = new ArrayList<>(batch.size());
        batch.forEach(r -> out.add(r.pinnedTo(version)));
        return out;
    }

    @Override
    public void submit(GroupRequest request) {
        queue.add(new Work(List.of(request), false));
    }

    /** Queues {@code requests} to be generated together in one call, in this order. */
    @Override
    public void submitWave(List<GroupRequest> requests) {
        queue.add(new Work(List.copyOf(requests), true));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
