package io.rollstream.cli;

import io.rollstream.eval.SavedPolicy;
import io.rollstream.export.HfExport;
import io.rollstream.safetensors.SafetensorsDtype;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollstream export}: a saved policy as a Hugging Face model directory that transformers and
 * vLLM load (LoRA adapters merged), or with {@code --adapter} as a PEFT adapter ({@link HfExport}).
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Writes a saved policy as a Hugging Face model directory (config.json, model.safetensors or"
                + " shards with an index, generation_config.json, tokenizer files; LoRA merged), or with --adapter"
                + " as a PEFT adapter (adapter_config.json, adapter_model.safetensors).")
final class ExportCommand implements Callable<Integer> {

    enum Dtype {
        f32,
        bf16
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--policy",
            required = true,
            description = "a .rsckpt file, a policy version folder (RUN/policy/step-NNNNNN) or a run directory"
                    + " (its final-model.rsckpt)")
    Path policy;

    @Option(names = "--out", required = true, description = "directory to write (must not exist or be empty)")
    Path out;

    @Option(names = "--adapter", description = "write the LoRA adapters alone, as PEFT saves them")
    boolean adapter;

    @Option(
            names = "--dtype",
            defaultValue = "f32",
            description = "storage type: ${COMPLETION-CANDIDATES}"
                    + " (default ${DEFAULT-VALUE}: every bit of the trained weights)")
    Dtype dtype;

    @Option(
            names = "--max-shard-size",
            defaultValue = "5000000000",
            description = "weights above this many bytes"
                    + " are split into shards with an index, as transformers does (default ${DEFAULT-VALUE})")
    long maxShardBytes;

    @Override
    public Integer call() throws Exception {
        SavedPolicy saved = SavedPolicy.load(policy);
        HfExport.Settings options = new HfExport.Settings(
                dtype == Dtype.bf16 ? SafetensorsDtype.BF16 : SafetensorsDtype.F32, maxShardBytes);
        String written = adapter
                ? HfExport.adapter(saved.checkpoint(), out, options)
                : HfExport.model(saved.checkpoint(), out, options);
        spec.commandLine().getOut().println("wrote " + written);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
