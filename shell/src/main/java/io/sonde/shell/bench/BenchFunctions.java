package io.sonde.shell.bench;

import java.io.Serializable;

/**
 * What the benchmarked tasks and actor calls run: as little as possible, so that the numbers are
 * Sonde's overhead. Static and capture-free, so workers cache the deserialized function.
 */
final class BenchFunctions {
    private BenchFunctions() {
    }

    static Integer small() {
        return 0;
    }

    /** The actor of the 1:1 actor-call metrics. */
    static final class Echo implements Serializable {
        private static final long serialVersionUID = 1L;

        Integer small() {
            return 0;
        }
    }
}
