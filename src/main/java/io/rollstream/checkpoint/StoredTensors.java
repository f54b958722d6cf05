package io.rollstream.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rollstream.model.TensorSource;
import io.rollstream.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;

/**
 * Tensors of a verified checkpoint file, read one at a time (memory-mapped) when asked for. The
 * file is opened for each read and closed again, so the source holds no open file and needs no
 * closing; checkpoint files are immutable once written, and a deleted one fails the read with an
 * {@link UncheckedIOException} naming it.
 *
 * @param path the checkpoint file
 * @param prefix what the file's tensor names add to the names on offer (the optimizer's moments)
 * @param names the names on offer
 */
record StoredTensors(Path path, String prefix, Set<String> names) implements TensorSource {

    StoredTensors {
        names = Collections.unmodifiableSet(names);
    }

    @Override
    public NDArray read(String name, Shape shape, NDManager manager) {
        require(name);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Shape stored = new Shape(file.tensors().get(prefix + name).shape());
            if (!stored.equals(shape)) {
                throw new IllegalArgumentException(
                        path + ": tensor " + prefix + name + " has shape " + stored + ", expected " + shape);
            }
            return file.readFloat32(prefix + name, manager);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public float[] floats(String name) {
        require(name);
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            return file.readFloats(prefix + name);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    private void require(String name) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(path + " has no tensor " + prefix + name);
        }
    }
}
