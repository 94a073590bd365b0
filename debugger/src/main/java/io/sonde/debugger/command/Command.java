package io.sonde.debugger.command;

import java.util.List;

/**
 * One debugger command: its name, short aliases, usage and one-line help, what it needs to run,
 * and what it does. All commands are listed in {@link CommandTable}.
 */
public interface Command {
    /** What a command needs, checked by the console before it runs, as jdb keeps a table of what is allowed when. */
    enum Needs {
        /** Runs at any prompt. */
        NOTHING("anytime"),
        /** Needs a session attached to a worker. */
        ATTACHED("attached"),
        /** Needs the task's thread stopped (at the breakpoint or after a step). */
        STOPPED("stopped");

        private final String label;

        Needs(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Where the console goes after the command. */
    enum Outcome {
        /** Next command at the {@code (sdb)} prompt. */
        STAY,
        /** The session ended (continue, detach, a step past the task's end): back to the breakpoint list. */
        LIST,
        /** Leave the debugger. */
        QUIT
    }

    String name();

    List<String> aliases();

    /** {@code print EXPR}. */
    String usage();

    String help();

    Needs needs();

    /** Whether an empty line repeats this command, as in gdb ({@code next}, {@code step}...). */
    default boolean repeatable() {
        return false;
    }

    Outcome run(CommandContext ctx, String args);
}
