package io.sonde.debugger.command;

import java.util.List;

/** The table entry part of a command: name, aliases, usage, help, needs. */
abstract class BaseCommand implements Command {
    private final String name;
    private final List<String> aliases;
    private final String usage;
    private final String help;
    private final Needs needs;

    BaseCommand(String name, List<String> aliases, String usage, Needs needs, String help) {
        this.name = name;
        this.aliases = aliases;
        this.usage = usage;
        this.help = help;
        this.needs = needs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> aliases() {
        return aliases;
    }

    @Override
    public String usage() {
        return usage;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public Needs needs() {
        return needs;
    }

    /** Fails with the usage when the command got arguments it does not take. */
    void noArguments(String args) {
        if (!args.isBlank()) {
            throw new io.sonde.debugger.DebugException("`" + name + "` takes no arguments; usage: " + usage);
        }
    }
}
