package io.rollstream.cli;

import io.rollstream.config.RunConfig;
import io.rollstream.job.LocalRun;
import io.rollstream.job.ResumePlan;
import io.rollstream.job.ResumePoint;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollstream run}: the pipeline on a local mini-cluster. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Runs the RL pipeline on a local Flink mini-cluster (web UI on localhost when job.web_ui).")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file (see configs/README.md)")
    Path config;

    @Option(names = "--set", description = "override a config key, e.g. --set rollout.temperature=0.7 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--run-dir",
            description = "run directory, new or empty (default: runs/<job.name>-<timestamp>);"
                    + " relative paths are resolved against the working directory")
    Path runDir;

    @Option(
            names = "--resume-from",
            description = "a retained checkpoint, a savepoint, or a run directory (then where"
                    + " its run was: the SFT warm start from its saved state, or RL from its newest checkpoint or savepoint) to"
                    + " continue from; the run continues in the run directory that holds it")
    String resumeFrom;

    @Override
    public Integer call() throws Exception {
        RunConfig resolved = ConfigFiles.load(config, overrides);
        ResumePlan resume = null;
        Path dir = runDir;
        if (resumeFrom != null) {
            resume = ResumePlan.resolve(resumeFrom, resolved);
            String restorePath = resume.restorePath();
            Optional<Path> home = Optional.ofNullable(restorePath)
                    .flatMap(ResumePoint::runDirOf)
                    .or(() -> ResumePoint.runDirOf(
                            Path.of(resumeFrom).toAbsolutePath().toString()));
            if (dir == null) {
                dir = home.orElseThrow(() -> new IllegalArgumentException("--resume-from " + resumeFrom
                        + " is not inside a run directory: give --run-dir, the run directory it belongs to"));
            } else if (home.isPresent()
                    && !home.get().normalize().equals(dir.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("--run-dir " + dir + " differs from the run directory of the resume"
                        + " point (" + home.get() + "): a resumed run continues its own files and policy store;"
                        + " drop --run-dir");
            }
        }
        if (dir == null) {
            dir = Path.of(
                    "runs",
                    resolved.job().name() + "-"
                            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        LocalRun.run(resolved, dir, resume, System.out);
        return 0;
    }
}
