package io.sonde.shell.repl.commands;

/** A command could not do what was asked; the message says what happened and what to do instead. */
public final class CommandException extends RuntimeException {
    public CommandException(String message) {
        super(message, null, false, false);
    }
}
