package io.sonde.debugger.command;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The debugger's commands, by name and alias, in the order {@code help} lists them. */
public final class CommandTable {
    private final List<Command> commands;
    private final Map<String, Command> byWord = new LinkedHashMap<>();

    public CommandTable(List<Command> commands) {
        this.commands = List.copyOf(commands);
        for (Command c : commands) {
            register(c.name(), c);
            for (String a : c.aliases()) {
                register(a, c);
            }
        }
    }

    private void register(String word, Command c) {
        if (byWord.putIfAbsent(word, c) != null) {
            throw new IllegalArgumentException("two commands answer to " + word);
        }
    }

    /** The commands of {@code (sdb)}. */
    public static CommandTable standard() {
        return new CommandTable(List.of(
                new InfoCommands.Help(),
                new FrameCommands.Where(),
                FrameCommands.Move.up(),
                FrameCommands.Move.down(),
                new FrameCommands.FrameCmd(),
                new FrameCommands.ListCmd(),
                new DataCommands.Locals(),
                new DataCommands.Print(),
                new DataCommands.Set(),
                new DataCommands.Exec(),
                new DataCommands.Display(),
                new DataCommands.Undisplay(),
                new DataCommands.Watch(),
                RunCommands.StepCmd.step(),
                RunCommands.StepCmd.next(),
                RunCommands.StepCmd.finish(),
                new RunCommands.Continue(),
                new RunCommands.Remote(),
                new RunCommands.Get(),
                new HookCommands.Break(),
                new HookCommands.Clear(),
                new HookCommands.Catch(),
                new HookCommands.Ignore(),
                new InfoCommands.Threads(),
                new RunCommands.Detach(),
                new RunCommands.Quit()));
    }

    public List<Command> all() {
        return commands;
    }

    public Optional<Command> find(String word) {
        return Optional.ofNullable(byWord.get(word));
    }

    /** The help screen: one line per command with its aliases and when it can run. */
    public void printHelp(PrintWriter out) {
        int width = 0;
        for (Command c : commands) {
            width = Math.max(width, names(c).length());
        }
        out.println("Commands (the task's frames are the user's: Sonde's and the JDK's are hidden):");
        for (Command c : commands) {
            String names = names(c);
            out.println("  " + names + " ".repeat(width - names.length() + 2) + c.help()
                    + (c.needs() == Command.Needs.NOTHING ? "" : "  [" + c.needs().label() + "]"));
        }
        out.println("An empty line repeats step, next, finish, up, down. [attached]: needs a session;"
                + " [stopped]: needs the task's thread stopped.");
        out.flush();
    }

    private static String names(Command c) {
        StringBuilder b = new StringBuilder(c.usage());
        if (!c.aliases().isEmpty()) {
            b.append(" (").append(String.join(", ", c.aliases())).append(')');
        }
        return b.toString();
    }
}
