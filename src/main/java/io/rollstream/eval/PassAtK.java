package io.rollstream.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pass@k from n sampled completions per problem, c of them correct, by the unbiased estimator of Chen
 * et al. 2021 ("Evaluating Large Language Models Trained on Code"): the chance that k completions
 * drawn without replacement from the n include a correct one, {@code 1 − C(n−c, k) / C(n, k)},
 * averaged over the problems. Unlike "any of k samples correct" on exactly k samples, it uses all n
 * samples for every k ≤ n, so pass@1 is the mean share of correct completions and the curve over k
 * has far less variance.
 */
public final class PassAtK {

    private PassAtK() {}

    /**
     * The estimate for one problem: 1 − C(n−c, k)/C(n, k), computed as the product
     * ∏_{i=n−c+1}^{n} (1 − k/i) so no binomial coefficient overflows.
     *
     * @param n completions sampled, at least 1
     * @param c of them correct, 0 ≤ c ≤ n
     * @param k completions drawn, 1 ≤ k ≤ n
     */
    public static double estimate(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException(
                    "pass@k needs 1 <= k <= n and 0 <= c <= n, got n=" + n + ", c=" + c + ", k=" + k);
        }
        if (n - c < k) {
            return 1.0; // every draw of k includes a correct completion
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }

    /** The k reported for n samples per problem: the powers of two below n, and n itself. */
    public static List<Integer> ks(int n) {
        List<Integer> ks = new ArrayList<>();
        for (int k = 1; k < n; k *= 2) {
            ks.add(k);
        }
        ks.add(n);
        return ks;
    }

    /**
     * pass@k for every k of {@link #ks(int)}, averaged over the problems, in increasing k.
     *
     * @param n completions sampled per problem
     * @param correct the number of correct completions of each problem (at least one problem)
     */
    public static Map<Integer, Double> mean(int n, int[] correct) {
        if (correct.length == 0) {
            throw new IllegalArgumentException("pass@k needs at least one problem");
        }
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (int k : ks(n)) {
            double sum = 0;
            for (int c : correct) {
                sum += estimate(n, c, k);
            }
            out.put(k, sum / correct.length);
        }
        return out;
    }
}
