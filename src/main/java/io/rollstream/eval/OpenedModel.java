package io.rollstream.eval;

import ai.djl.Device;
import io.rollstream.checkpoint.Checkpoint;
import io.rollstream.checkpoint.Checkpoints;
import io.rollstream.device.Placement;
import io.rollstream.huggingface.HfConfig;
import io.rollstream.huggingface.HfModelDirectory;
import io.rollstream.model.LanguageModel;
import io.rollstream.tokenizer.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model named by a path as the model commands take it: a Hugging Face model directory (loaded
 * straight from its safetensors), or a saved Rollstream policy as {@link SavedPolicy} accepts it
 * (a {@code .rsckpt} file, a policy version folder, a run directory).
 *
 * @param model the model, on the device asked for; closed with this
 * @param tokenizer its tokenizer, or null (a Hugging Face directory without tokenizer.json)
 * @param notes what loading adapted or accepted unused (from config.json), for the user to see
 */
public record OpenedModel(LanguageModel model, TokenizerSpec tokenizer, List<String> notes) implements AutoCloseable {

    public static OpenedModel open(Path path, Device device) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + " does not exist: give a Hugging Face model directory, a"
                    + " .rsckpt file, a policy version folder or a run directory");
        }
        if (HfModelDirectory.isModelDirectory(path)) {
            HfConfig config = HfModelDirectory.config(path);
            TokenizerSpec tokenizer = Files.isRegularFile(path.resolve(HfModelDirectory.TOKENIZER_FILE))
                    ? HfModelDirectory.tokenizer(path)
                    : null;
            return new OpenedModel(
                    HfModelDirectory.load(path, config.decoder(), Placement.float32(device)),
                    tokenizer,
                    config.notes());
        }
        if (Files.isDirectory(path)
                && !Files.isRegularFile(path.resolve("MANIFEST.json"))
                && !Files.isRegularFile(path.resolve("metrics.jsonl"))) {
            throw new IllegalArgumentException(path + " is neither a Hugging Face model directory (no config.json), a"
                    + " policy version folder nor a run directory");
        }
        Checkpoint checkpoint = SavedPolicy.load(path).checkpoint();
        return new OpenedModel(Checkpoints.model(checkpoint, device), checkpoint.tokenizer(), List.of());
    }

    @Override
    public void close() {
        model.close();
    }
}
