package io.sonde;

/**
 * Base of every failure Sonde reports. All of them are unchecked, so {@code Sonde.get} can be
 * called anywhere; catch the subclass that names the failure you can handle:
 * <ul>
 *   <li>application failures: {@link TaskException} (the user's exception is the cause);</li>
 *   <li>intentional failures: {@link TaskCancelledException}, {@link ActorDiedException} after
 *       {@code Sonde.kill};</li>
 *   <li>unintended failures: {@link WorkerCrashedException}, {@link ActorDiedException},
 *       {@link NodeDiedException}, {@link OutOfMemoryException}, {@link ObjectLostException};</li>
 *   <li>waiting: {@link GetTimeoutException}.</li>
 * </ul>
 * Exceptions travel between processes with Java serialization, so each subclass keeps only
 * serializable state.
 */
public class SondeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SondeException(String message) {
        super(message);
    }

    public SondeException(String message, Throwable cause) {
        super(message, cause);
    }
}
