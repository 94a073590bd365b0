package io.sonde.shell.repl.commands;

import java.util.List;

/**
 * One {@code /command} of the shell. Commands are small objects registered in one table,
 * {@link SlashCommands}, which is all that help, Tab completion and dispatch read, so a feature
 * adds its command ({@code /debug}, {@code /profile}...) with one {@link SlashCommands#add}.
 */
public interface SlashCommand {
    /** The name without the slash: {@code tasks} for {@code /tasks}. */
    String name();

    /** Other names that run it, without the slash. */
    default List<String> aliases() {
        return List.of();
    }

    /** What follows the name in help, e.g. {@code <ref-var>}; empty when it takes nothing. */
    default String arguments() {
        return "";
    }

    /** One line for {@code /help}. */
    String help();

    /** Whether it talks to the cluster; such commands say so plainly when it does not answer. */
    default boolean needsCluster() {
        return false;
    }

    /**
     * Candidates for the argument being typed (Tab); the shell keeps those that start with what
     * was typed. {@code typed} is the whole argument text before the cursor.
     */
    default List<String> complete(CommandContext context, String typed) {
        return List.of();
    }

    /**
     * Runs the command. {@code arguments} is the text after the name, trimmed. A failure the user
     * can act on is a {@link CommandException}; its message is shown as is.
     */
    void run(CommandContext context, String arguments);
}
