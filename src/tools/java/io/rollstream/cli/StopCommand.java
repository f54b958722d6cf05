package io.rollstream.cli;

import io.rollstream.job.RunControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollstream stop RUN}: stops a running job with a savepoint, so it can be resumed. */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Stops the job of a run directory — a local run or a cluster job submitted with"
                + " jobs/submit.sh — with a savepoint (continue with run --resume-from RUN, or submit.sh"
                + " --resume-from SAVEPOINT).")
final class StopCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN", description = "the run directory of a running job")
    Path runDir;

    @Option(names = "--timeout-s", description = "how long to wait for the savepoint (default: 300)")
    long timeoutS = 300;

    @Override
    public Integer call() throws Exception {
        if (RunControl.inWarmStart(runDir)) {
            Optional<String> state = RunControl.stopWarmStart(runDir, Duration.ofSeconds(timeoutS));
            if (state.isPresent()) {
                System.out.println("stopped during the SFT warm start; its state is saved in " + state.get());
                System.out.println("continue with: jobs/rollstream run --config " + runDir.resolve("config.yaml")
                        + " --resume-from " + runDir + " (for `rollstream sft`: jobs/rollstream sft --config "
                        + runDir.resolve("config.yaml") + " --run-dir " + runDir + " --resume)");
                return 0;
            }
            System.err.println("the SFT warm start of " + runDir + " finished before it saw the stop, and its RL job"
                    + " is starting: run `rollstream stop " + runDir + "` again in a few seconds");
            return 1;
        }
        boolean cluster = RunControl.handle(runDir).cluster();
        String savepoint = RunControl.stop(runDir, Duration.ofSeconds(timeoutS));
        System.out.println("stopped with savepoint " + savepoint);
        System.out.println("continue with: "
                + (cluster
                        ? "jobs/submit.sh --config CONFIG --run-dir " + runDir + " --resume-from " + savepoint
                        : "jobs/rollstream run --config " + runDir.resolve("config.yaml") + " --resume-from "
                                + runDir));
        return 0;
    }
}
