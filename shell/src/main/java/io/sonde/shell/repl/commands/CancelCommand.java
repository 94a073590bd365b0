package io.sonde.shell.repl.commands;

import io.sonde.ObjectRef;
import io.sonde.proto.CancelOutcome;
import io.sonde.shell.repl.CancelReport;
import io.sonde.tooling.DriverClient;
import jdk.jshell.VarSnippet;

import java.time.Duration;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /cancel [--force] <ref-var>}: cancels the task behind an {@code ObjectRef} held in a
 * variable (and the tasks it submitted), or behind each ref of a collection of refs; with
 * {@code --force} their workers are killed. The variable's value is read from the snippet that
 * holds it, not parsed from its printed form. Says what the node reports: tasks that ended, and
 * tasks that still run because they ignore interrupts.
 */
final class CancelCommand implements SlashCommand {
    @Override
    public String name() {
        return "cancel";
    }

    @Override
    public String arguments() {
        return "[--force] <ref-var>";
    }

    @Override
    public String help() {
        return "cancel the task whose ObjectRef (or list of refs) a variable holds; --force kills its worker";
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
    public void run(CommandContext context, String typed) {
        boolean force = typed.startsWith("--force");
        String arguments = force ? typed.substring("--force".length()).strip() : typed;
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
        DriverClient client = DriverClient.current();
        List<CompletableFuture<CancelOutcome>> outcomes = new ArrayList<>();
        for (ObjectRef<?> r : refs) {
            outcomes.add(client.cancel(r, force, true));
        }
        CancelReport report = CancelReport.await(outcomes, Duration.ofSeconds(10));
        List<String> lines = report.lines("/cancel --force " + arguments);
        if (lines.isEmpty()) {
            context.out().println("nothing to cancel: the task" + (refs.size() == 1 ? " of " + refs.get(0).id() + " had"
                    : "s had") + " ended already");
            return;
        }
        lines.forEach(context.out()::println);
        context.out().println("get(" + arguments + ") now throws TaskCancelledException");
    }
}
