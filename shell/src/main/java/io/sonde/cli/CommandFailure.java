package io.sonde.cli;

/**
 * A failure the user can act on: its message says what happened and what to do next, so the CLI
 * prints it without a stack trace and exits with {@link #exitCode()}.
 */
final class CommandFailure extends RuntimeException {
    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
