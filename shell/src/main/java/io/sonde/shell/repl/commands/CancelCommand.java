package io.sonde.shell.repl.commands;

import io.sonde.ObjectRef;
import io.sonde.Sonde;
import jdk.jshell.VarSnippet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code /cancel <ref-var>}: cancels the task behind an {@code ObjectRef} held in a variable
 * (and the tasks it submitted), or behind each ref of a collection of refs. The variable's value
 * is read from the snippet that holds it, not parsed from its printed form.
 */
final class CancelCommand implements SlashCommand {
    @Override
    public String name() {
        return "cancel";
    }

    @Override
    public String arguments() {
        return "<ref-var>";
    }

    @Override
    public String help() {
        return "cancel the task whose ObjectRef (or list of refs) a variable holds";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        return context.engine().variables().stream()
                .filter(v -> v.typeName().contains("ObjectRef"))
                .map(VarSnippet::name).distinct().toList();
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (arguments.isEmpty()) {
            throw new CommandException("Say which task: /cancel <variable holding an ObjectRef>, e.g. /cancel r.");
        }
        Object value = context.engine().valueOf(arguments).orElseThrow(() -> new CommandException(
                "No variable '" + arguments + "' with a value; /vars lists the variables."));
        List<ObjectRef<?>> refs = new ArrayList<>();
        if (value instanceof ObjectRef<?> r) {
            refs.add(r);
        } else if (value instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof ObjectRef<?> r) {
                    refs.add(r);
                }
            }
        }
        if (refs.isEmpty()) {
            String type = value instanceof io.sonde.ActorHandle<?> ? "an ActorHandle (/kill stops an actor)"
                    : "a " + value.getClass().getSimpleName();
            throw new CommandException("'" + arguments + "' holds " + type
                    + ", not an ObjectRef: /cancel takes the ref a task's remote() returned.");
        }
        for (ObjectRef<?> r : refs) {
            Sonde.cancel(r);
        }
        context.out().println("cancelled " + (refs.size() == 1 ? "the task of " + refs.get(0).id()
                : refs.size() + " tasks") + " (with the tasks it submitted); get(" + arguments
                + ") now throws TaskCancelledException");
    }
}
