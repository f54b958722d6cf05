package io.rollstream.rollout;

/**
 * How many problems the admission gate keeps in flight beyond the groups the next batches need
 * ({@code buffer.oversampling}).
 */
public enum Oversampling {
    /**
     * A constant headroom of {@code problems_per_batch − groups per batch} extra groups in flight on
     * top of the {@code max_async_level} window, whatever the filters drop.
     */
    FIXED,
    /**
     * As many as the expected number of useful groups in flight needs to fill the window, from a
     * Beta posterior of each problem's pass rate ({@link PassRates}); never more than the fixed
     * headroom.
     */
    ADAPTIVE
}
