package io.sonde.shell.repl.commands;

/** {@code /imports}: what is imported, Sonde's defaults included. */
final class ImportsCommand implements SlashCommand {
    @Override
    public String name() {
        return "imports";
    }

    @Override
    public String help() {
        return "list the imports in effect";
    }

    @Override
    public void run(CommandContext context, String arguments) {
        context.engine().jshell().imports().filter(i -> context.engine().jshell().status(i).isActive())
                .forEach(i -> context.out().println("  import " + (i.isStatic() ? "static " : "") + i.fullname()));
    }
}
