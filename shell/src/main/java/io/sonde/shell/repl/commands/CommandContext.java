package io.sonde.shell.repl.commands;

import io.sonde.debugger.LineInput;
import io.sonde.shell.repl.ClusterView;
import io.sonde.shell.repl.ShellEngine;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What a command can reach: the snippets, the cluster, the output and the shell itself. */
public interface CommandContext {
    ShellEngine engine();

    /** Where the command prints; every line gets the shell's {@code |  } prefix. */
    PrintWriter out();

    /**
     * Where a command that holds a conversation prints (the debugger of {@code /debug}): the
     * shell's output as it is, without the {@code |  } prefix.
     */
    PrintWriter plainOut();

    /**
     * Where a command that asks for lines reads them (the debugger of {@code /debug}): on a
     * terminal, a line editor of its own that shows the prompt, where Ctrl-C gives a new prompt
     * and Ctrl-D ends the input; without one, the input the shell reads (a pipe, a script), each
     * line shown after its prompt.
     */
    LineInput lineInput();

    /** The cluster the shell joined; throws a {@link CommandException} when there is none. */
    ClusterView cluster();

    /** The table of commands, for {@code /help}. */
    SlashCommands commands();

    /** Leaves the shell after this command. */
    void exit();

    /** Evaluates a file's snippets and commands as if they were typed, with the usual feedback. */
    void open(Path file);
}
