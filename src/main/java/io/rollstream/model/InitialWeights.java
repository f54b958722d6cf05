package io.rollstream.model;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The GPT-2 initialisation both model kinds use: N(0, 0.02) matrices and embeddings, residual
 * output projections scaled by 1/sqrt(2 layers), unit norm gains, zero biases — drawn in storage
 * order, so a seed gives the same weights on every device.
 */
final class InitialWeights {

    static final double STD = 0.02;

    private InitialWeights() {}

    /**
     * @param gain names of norm gains (filled with 1)
     * @param bias names of biases (left at 0)
     * @param residual names of the projections into the residual stream (smaller std)
     */
    static Map<String, float[]> draw(
            Map<String, Shape> shapes,
            int layers,
            SplittableRandom random,
            Predicate<String> gain,
            Predicate<String> bias,
            Predicate<String> residual) {
        double residualStd = STD / Math.sqrt(2.0 * layers);
        Map<String, float[]> weights = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            if (gain.test(name)) {
                Arrays.fill(values, 1f);
            } else if (!bias.test(name)) {
                double std = residual.test(name) ? residualStd : STD;
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            weights.put(name, values);
        });
        return weights;
    }
}
