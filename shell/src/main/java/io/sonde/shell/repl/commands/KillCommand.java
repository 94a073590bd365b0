package io.sonde.shell.repl.commands;

import io.sonde.ActorHandle;
import io.sonde.Sonde;
import io.sonde.proto.ActorInfo;
import jdk.jshell.VarSnippet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code /kill <actor-var|name>}: kills an actor's process, held in a variable or created with {@code .name(...)}; no restart. */
final class KillCommand implements SlashCommand {
    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String arguments() {
        return "<actor-var|name>";
    }

    @Override
    public String help() {
        return "kill an actor (a variable holding its handle, or its name); it is not restarted";
    }

    @Override
    public boolean needsCluster() {
        return true;
    }

    @Override
    public List<String> complete(CommandContext context, String typed) {
        List<String> out = new ArrayList<>(context.engine().variables().stream()
                .filter(v -> v.typeName().contains("ActorHandle")).map(VarSnippet::name).distinct().toList());
        context.cluster().actors().stream().filter(a -> !a.getName().isEmpty() && a.getState() != ActorInfo.State.DEAD)
                .map(ActorInfo::getName).forEach(out::add);
        return out;
    }

    @Override
    public void run(CommandContext context, String arguments) {
        if (arguments.isEmpty()) {
            throw new CommandException("Say which actor: /kill <variable holding its handle|actor name>. /actors lists them.");
        }
        Optional<Object> value = context.engine().valueOf(arguments);
        ActorHandle<?> actor;
        if (value.isPresent() && value.get() instanceof ActorHandle<?> h) {
            actor = h;
        } else {
            actor = Sonde.getActor(arguments).orElseThrow(() -> new CommandException(
                    "No actor variable or live named actor '" + arguments + "'. /actors lists the actors, /vars the variables."));
        }
        Sonde.kill(actor);
        context.out().println("killed " + actor + "; calls to it now fail with ActorDiedException");
    }
}
