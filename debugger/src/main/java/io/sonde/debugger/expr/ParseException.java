package io.sonde.debugger.expr;

/** An expression that is not well formed; the message says where. */
public final class ParseException extends RuntimeException {
    private final int position;

    public ParseException(String message, int position) {
        super(message, null, false, false);
        this.position = position;
    }

    /** The 0-based character offset where the problem is. */
    public int position() {
        return position;
    }
}
