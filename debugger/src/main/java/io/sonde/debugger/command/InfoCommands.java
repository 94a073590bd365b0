package io.sonde.debugger.command;

import io.sonde.debugger.DebugSession;

import java.util.List;

/** help and threads. */
final class InfoCommands {
    private InfoCommands() {
    }

    static final class Help extends BaseCommand {
        Help() {
            super("help", List.of("h", "?"), "help", Needs.NOTHING, "show this list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            ctx.table().printHelp(ctx.out());
            return Outcome.STAY;
        }
    }

    static final class Threads extends BaseCommand {
        Threads() {
            super("threads", List.of(), "threads", Needs.ATTACHED, "show the worker's threads; * marks the task's");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            List<DebugSession.ThreadInfo> threads = ctx.session().threads();
            int width = threads.stream().mapToInt(t -> t.name().length()).max().orElse(4);
            for (DebugSession.ThreadInfo t : threads) {
                ctx.out().println((t.task() ? "* " : "  ") + t.name() + " ".repeat(width - t.name().length() + 2)
                        + t.status() + (t.suspended() ? ", stopped by the debugger" : ""));
            }
            return Outcome.STAY;
        }
    }
}
