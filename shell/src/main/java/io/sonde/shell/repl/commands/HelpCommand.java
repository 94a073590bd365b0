package io.sonde.shell.repl.commands;

import java.io.PrintWriter;
import java.util.List;

/** {@code /help [command]}: what the shell can do, from the one table of commands. */
final class HelpCommand implements SlashCommand {
    @Override
    public String name() {
        return "help";
    }

    @Override
    public List<String> aliases() {
        return List.of("?");
    }

    @Override
    public String arguments() {
        return "[command]";
    }

    @Override
    public String help() {
        return "show the commands, or what one command does";
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        return context.commands().all().stream().map(c -> "/" + c.name()).toList();
    }

    @Override
    public void run(CommandContext context, String arguments) {
        PrintWriter out = context.out();
        if (!arguments.isEmpty()) {
            SlashCommand c = context.commands().find(arguments)
                    .orElseThrow(() -> new CommandException("No command " + arguments + "; /help lists them all."));
            out.println(usage(c));
            out.println("    " + c.help());
            if (!c.aliases().isEmpty()) {
                out.println("    also: " + String.join(", ", c.aliases().stream().map(a -> "/" + a).toList()));
            }
            return;
        }
        out.println("Type Java to run it here: task(...).remote() and actor(...).remote() run it on the cluster,");
        out.println("get(ref) waits for a result. Tab completes code and commands, Up/Down recall history,");
        out.println("Ctrl-C cancels the tasks of a running snippet, Ctrl-D or /exit leaves.");
        out.println("");
        List<SlashCommand> all = context.commands().all();
        int width = all.stream().mapToInt(c -> usage(c).length()).max().orElse(10) + 2;
        for (SlashCommand c : all) {
            String u = usage(c);
            out.println(u + " ".repeat(width - u.length()) + c.help());
        }
    }

    private static String usage(SlashCommand c) {
        return "/" + c.name() + (c.arguments().isEmpty() ? "" : " " + c.arguments());
    }
}
