package io.rollstream.testing;

import ai.djl.ndarray.NDManager;

/** Counts the native arrays alive in the JVM, to detect leaks across many calls. */
public final class NativeArrays {

    /** Every base manager is a child of the engine's system manager; this one only finds it. */
    private static final NDManager SYSTEM = NDManager.newBaseManager().getParentManager();

    private NativeArrays() {}

    /** Arrays still owned by any manager (counted recursively from the system manager). */
    public static int live() {
        return SYSTEM.getManagedArrays().size();
    }
}
