package io.sonde.shell.repl.commands;

import java.nio.file.Path;
import java.util.List;

/** {@code /open FILE}: evaluates a file of snippets (and commands) as if it were typed. */
final class OpenCommand implements SlashCommand {
    @Override
    public String name() {
        return "open";
    }

    @Override
    public String arguments() {
        return "<file>";
    }

    @Override
    public String help() {
        return "run a file of snippets and commands (.jsh) as if typed";
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        return FileArguments.complete(typed);
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (arguments.isEmpty()) {
            throw new CommandException("Say which file: /open <file>, e.g. /open setup.jsh.");
        }
        Path file = FileArguments.path(arguments);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new CommandException("No file " + file.toAbsolutePath() + "; give a path to a .jsh file.");
        }
        context.open(file);
    }
}
