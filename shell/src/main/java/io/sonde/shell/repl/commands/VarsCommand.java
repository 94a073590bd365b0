package io.sonde.shell.repl.commands;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.VarSnippet;

/** {@code /vars}: the variables and their values, as the jshell tool lists them. */
final class VarsCommand implements SlashCommand {
    @Override
    public String name() {
        return "vars";
    }

    @Override
    public String help() {
        return "list the variables and their values";
    }

    @Override
    public void run(CommandContext context, String arguments) {
        JShell jshell = context.engine().jshell();
        boolean any = false;
        for (VarSnippet v : context.engine().variables()) {
            String value;
            if (jshell.status(v) == Snippet.Status.VALID) {
                try {
                    value = jshell.varValue(v);
                } catch (RuntimeException e) {
                    value = "<cannot be read: " + e.getMessage() + ">";
                }
            } else {
                value = "<not yet defined: it needs " + String.join(", ", jshell.unresolvedDependencies(v).toList()) + ">";
            }
            context.out().println("  " + v.typeName() + " " + v.name() + " = " + value);
            any = true;
        }
        if (!any) {
            context.out().println("No variables yet.");
        }
    }
}
