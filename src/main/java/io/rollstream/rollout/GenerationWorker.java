package io.rollstream.rollout;

import io.rollstream.types.ScoredGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The generation thread of one rollout subtask. Requests queue up while a forward pass runs; each
 * pass takes everything queued (up to a limit), so several problems share the next batch
 * (continuous batching). Results and failures go back to the task thread through callbacks that
 * the operator routes into its mailbox; this class never touches Flink state.
 */
final class GenerationWorker implements AutoCloseable {

    private final LinkedBlockingQueue<GroupRequest> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    GenerationWorker(String name, GroupSampler sampler, int maxGroupsPerPass,
            Consumer<List<ScoredGroup>> onResults, Consumer<Throwable> onFailure) {
        this.thread = new Thread(() -> {
            try {
                while (running) {
                    List<GroupRequest> batch = new ArrayList<>();
                    batch.add(queue.take());
                    queue.drainTo(batch, maxGroupsPerPass - 1);
                    onResults.accept(sampler.generate(batch));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                if (running) {
                    onFailure.accept(t);
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    void submit(GroupRequest request) {
        queue.add(request);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
