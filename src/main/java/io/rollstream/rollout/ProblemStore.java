package io.rollstream.rollout;

import io.rollstream.tasks.Problem;

/**
 * The per-problem state the {@link AdmissionScheduler} reads and writes: in the job, Flink keyed
 * state of the rollout operator (each call sets the key itself); in unit tests, maps.
 */
public interface ProblemStore {

    /** The problem's state, or null when it has none. */
    ProblemState state(String problemId) throws Exception;

    void setState(String problemId, ProblemState state) throws Exception;

    /** Its group in flight, or null. */
    GroupRequest pending(String problemId) throws Exception;

    /** Records its group in flight ({@code request} non-null) or that none is (null). */
    void setPending(String problemId, GroupRequest request) throws Exception;

    /** Keeps a problem waiting for admission under its arrival {@code sequence}. */
    void putWaiting(String problemId, long sequence, Problem problem) throws Exception;

    /** Removes and returns the waiting problem of {@code sequence}. */
    Problem takeWaiting(String problemId, long sequence) throws Exception;

    /** Removes everything kept for the problem (it cannot come back). */
    void clear(String problemId) throws Exception;
}
