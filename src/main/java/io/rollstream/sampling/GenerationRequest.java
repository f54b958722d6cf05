package io.rollstream.sampling;

/**
 * One sequence to complete.
 *
 * @param prompt token ids as the model sees them (BOS first)
 * @param seed the row's sampling seed (see {@link RolloutSeeds}); the row's tokens depend only on
 *     this seed, the prompt and the weights, not on the other rows of the batch
 */
public record GenerationRequest(int[] prompt, long seed) {
    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("a generation prompt needs at least one token (BOS)");
        }
    }
}
