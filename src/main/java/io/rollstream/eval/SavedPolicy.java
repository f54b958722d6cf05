package io.rollstream.eval;

import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.CheckpointFormat;
import io.rollstream.policy.PolicyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A saved policy version named by a path, as {@code rollstream eval --policy} accepts it: a
 * {@code .rsckpt} checkpoint file, a policy-store folder {@code policy/step-NNNNNN/} (read through
 * the store, so its checksum is verified), or a run directory (its {@code final-model.rsckpt}).
 *
 * @param checkpoint the policy
 * @param runDir the run directory the policy belongs to (the nearest ancestor, up to three levels,
 *     holding config.yaml and metrics.jsonl), if any
 */
public record SavedPolicy(Checkpoint checkpoint, Optional<Path> runDir) {

    /** Ancestors searched for the run directory: step-N/policy.rsckpt → step-N → policy → run. */
    private static final int RUN_DIR_LEVELS = 3;

    public static SavedPolicy load(Path path) throws IOException {
        Path p = path.toAbsolutePath().normalize();
        Checkpoint checkpoint;
        if (Files.isRegularFile(p)) {
            checkpoint = CheckpointFormat.load(p);
        } else if (Files.isRegularFile(p.resolve("MANIFEST.json"))
                && p.getFileName().toString().startsWith("step-")) {
            long version = Long.parseLong(p.getFileName().toString().substring("step-".length()));
            checkpoint = new PolicyStore(p.getParent().toString()).load(version);
        } else if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("final-model.rsckpt"))) {
            checkpoint = CheckpointFormat.load(p.resolve("final-model.rsckpt"));
        } else if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("metrics.jsonl"))) {
            throw new IllegalArgumentException("--policy " + path + ": the run has no final-model.rsckpt yet (still"
                    + " running or stopped early); give one of its versions, e.g. " + path + "/policy/step-000000");
        } else {
            throw new IllegalArgumentException("--policy " + path + " is neither a " + CheckpointFormat.SUFFIX
                    + " file, a policy version folder (policy/step-NNNNNN with MANIFEST.json) nor a run directory"
                    + " with final-model.rsckpt");
        }
        return new SavedPolicy(checkpoint, runDirOf(p));
    }

    private static Optional<Path> runDirOf(Path p) {
        Path dir = Files.isDirectory(p) ? p : p.getParent();
        for (int level = 0; level <= RUN_DIR_LEVELS && dir != null; level++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config.yaml")) && Files.isRegularFile(dir.resolve("metrics.jsonl"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }
}
