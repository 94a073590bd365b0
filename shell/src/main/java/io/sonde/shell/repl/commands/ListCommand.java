package io.sonde.shell.repl.commands;

import jdk.jshell.Snippet;

/** {@code /list}: the snippets typed so far that are still in effect, with their ids. */
final class ListCommand implements SlashCommand {
    @Override
    public String name() {
        return "list";
    }

    @Override
    public String help() {
        return "list the snippets you typed, with the ids that stack traces refer to";
    }

    @Override
    public void run(CommandContext context, String arguments) {
        boolean any = false;
        for (Snippet s : context.engine().userSnippets()) {
            if (!context.engine().jshell().status(s).isActive()) {
                continue;
            }
            String[] lines = s.source().strip().split("\\R");
            context.out().println(String.format("%4s : %s", s.id(), lines[0]));
            for (int i = 1; i < lines.length; i++) {
                context.out().println("       " + lines[i]);
            }
            any = true;
        }
        if (!any) {
            context.out().println("No snippets yet.");
        }
    }
}
