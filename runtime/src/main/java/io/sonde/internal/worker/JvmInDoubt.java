package io.sonde.internal.worker;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether what a task threw leaves this worker's JVM in doubt, so that the node retires the
 * worker after it reported the task's failure instead of giving it the next task:
 * <ul>
 *   <li>{@link OutOfMemoryError}: the heap (or metaspace, or native memory) ran out; whatever
 *       holds on to it may still be reachable from static state, threads or caches, and a
 *       thread that was allocating may have left its data half-built;</li>
 *   <li>{@link InternalError} and {@link UnknownError}: the JVM itself failed;</li>
 *   <li>{@link LinkageError} ({@link ExceptionInInitializerError}, {@link NoClassDefFoundError},
 *       ...): a class whose initialization failed stays unusable in this JVM, and a class that
 *       could not be found is remembered as missing.</li>
 * </ul>
 * A {@link StackOverflowError} is not on the list: the stack unwinds completely and the JVM is
 * as it was. Nor is any other exception: it is the task's own business. The cause chain counts,
 * so an {@code OutOfMemoryError} wrapped by a library still retires the worker.
 */
final class JvmInDoubt {
    private JvmInDoubt() {
    }

    /** Why the worker should be retired after {@code thrown}, or empty when it can go on. */
    static Optional<String> why(Throwable thrown) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = thrown; t != null && seen.put(t, true) == null; t = t.getCause()) {
            if (t instanceof StackOverflowError) {
                continue;
            }
            if (t instanceof OutOfMemoryError || t instanceof InternalError || t instanceof UnknownError
                    || t instanceof LinkageError) {
                return Optional.of(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
            }
        }
        return Optional.empty();
    }
}
