package io.sonde.shell.repl.commands;

import java.util.List;

/** {@code /exit}: leaves the shell; an embedded cluster stops with it. */
final class ExitCommand implements SlashCommand {
    @Override
    public String name() {
        return "exit";
    }

    @Override
    public List<String> aliases() {
        return List.of("quit");
    }

    @Override
    public String help() {
        return "leave the shell (Ctrl-D does too); an embedded cluster stops with it";
    }

    @Override
    public void run(CommandContext context, String arguments) {
        context.exit();
    }
}
