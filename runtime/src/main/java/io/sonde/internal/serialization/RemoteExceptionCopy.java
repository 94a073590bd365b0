package io.sonde.internal.serialization;

/**
 * Stands in for a remote exception that could not be serialized (it holds a non-serializable
 * field, say): same class name, message and stack trace, so the failure still reads the same at
 * the driver. {@link #originalClassName()} names the class that was thrown.
 */
public final class RemoteExceptionCopy extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String originalClassName;

    public RemoteExceptionCopy(Throwable original) {
        super(original.getMessage(), original.getCause() == null ? null : new RemoteExceptionCopy(original.getCause()));
        this.originalClassName = original.getClass().getName();
        setStackTrace(original.getStackTrace());
    }

    public String originalClassName() {
        return originalClassName;
    }

    @Override
    public String toString() {
        String m = getLocalizedMessage();
        return m == null ? originalClassName : originalClassName + ": " + m;
    }
}
