package io.rollstream.rollout;

/**
 * The counts of one rollout subtask's {@link AdmissionScheduler}, as checkpointed (union list state:
 * after a rescale every subtask sees every element and takes its share).
 *
 * @param subtask the subtask that wrote it
 * @param parallelism generator parallelism when written
 * @param useful useful groups that came back
 * @param staleReturned slots given back for the run's stale drops (a share of them)
 * @param staleSeen the run's stale drops the subtask had seen in a policy manifest
 * @param nextSequence the next arrival sequence number
 * @param clearedEasy problems classified easy whose keyed state was cleared (they cannot come back)
 * @param clearedNormal the same, normal
 * @param clearedHard the same, hard
 * @param passRates the task's running pass-rate averages (adaptive oversampling)
 * @param jobId the job that wrote it: another job's state means a resume, not a failover
 */
public record GateState(
        int subtask,
        int parallelism,
        long useful,
        double staleReturned,
        long staleSeen,
        long nextSequence,
        long clearedEasy,
        long clearedNormal,
        long clearedHard,
        PassRates.Stats passRates,
        String jobId) {}
