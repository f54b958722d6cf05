package io.rollstream.cli;

import io.rollstream.common.Json;
import io.rollstream.device.EngineReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rollstream engine}: one JSON line on the PyTorch engine this machine loads. */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        description = "Load the PyTorch engine and print one JSON line: its version, the libtorch directory it was"
                + " loaded from (PYTORCH_LIBRARY_PATH when set), whether it is a CUDA build, the CUDA devices it"
                + " sees and whether downloads are off. Run it where a task manager runs to check its GPU setup.")
final class EngineCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        System.out.println(Json.mapper().writeValueAsString(EngineReport.current()));
        return 0;
    }
}
