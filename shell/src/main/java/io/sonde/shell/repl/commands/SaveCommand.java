package io.sonde.shell.repl.commands;

import jdk.jshell.Snippet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code /save FILE}: writes the snippets in effect to a file that {@code /open} or {@code sonde shell FILE} replays. */
final class SaveCommand implements SlashCommand {
    @Override
    public String name() {
        return "save";
    }

    @Override
    public String arguments() {
        return "<file>";
    }

    @Override
    public String help() {
        return "save the snippets in effect to a file, to /open it later";
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        return FileArguments.complete(typed);
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (arguments.isEmpty()) {
            throw new CommandException("Say where: /save <file>, e.g. /save session.jsh.");
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (Snippet s : context.engine().userSnippets()) {
            if (context.engine().jshell().status(s).isActive()) {
                b.append(s.source().strip()).append('\n');
                n++;
            }
        }
        Path file = FileArguments.path(arguments);
        try {
            java.nio.file.Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandException("Cannot write " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        context.out().println("saved " + n + " snippet" + (n == 1 ? "" : "s") + " to " + file);
    }
}
