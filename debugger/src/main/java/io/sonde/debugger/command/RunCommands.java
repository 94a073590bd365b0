package io.sonde.debugger.command;

import io.sonde.debugger.DebugSession;

import java.util.List;

/** Stepping and letting the task go. */
final class RunCommands {
    private RunCommands() {
    }

    /** After a step: the new position, or why the session ended. */
    static Command.Outcome after(CommandContext ctx, DebugSession.StepResult r) {
        if (!r.stopped()) {
            ctx.out().println(r.message());
            return Command.Outcome.LIST;
        }
        ctx.out().println(ctx.sources().describe(r.frame()));
        ctx.out().print(ctx.sources().line(r.frame()));
        ctx.session().displays().forEach(ctx.out()::println);
        return Command.Outcome.STAY;
    }

    /** {@code step}, {@code next} and {@code finish}: the same command with another kind of step. */
    static final class StepCmd extends BaseCommand {
        private final DebugSession.Step kind;

        private StepCmd(String name, List<String> aliases, String help, DebugSession.Step kind) {
            super(name, aliases, name, Needs.STOPPED, help);
            this.kind = kind;
        }

        static StepCmd step() {
            return new StepCmd("step", List.of("s"), "run to the next line, into calls of the user's code",
                    DebugSession.Step.INTO);
        }

        static StepCmd next() {
            return new StepCmd("next", List.of("n"), "run to the next line of this method, over calls",
                    DebugSession.Step.OVER);
        }

        static StepCmd finish() {
            return new StepCmd("finish", List.of(), "run until the selected frame returns", DebugSession.Step.OUT);
        }

        @Override
        public boolean repeatable() {
            return true;
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            return after(ctx, ctx.session().step(kind));
        }
    }

    static final class Continue extends BaseCommand {
        Continue() {
            super("continue", List.of("c", "cont"), "continue", Needs.ATTACHED,
                    "let the task go on (to the next `break` if any set; else back to the breakpoint list)");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            DebugSession.StepResult r = ctx.session().proceed();
            if (r.stopped()) {
                ctx.out().println(r.message());
            }
            return after(ctx, r);
        }
    }

    static final class Remote extends BaseCommand {
        Remote() {
            super("remote", List.of(), "remote", Needs.ATTACHED,
                    "continue until the next task this task submits starts, and stop at its first line there");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            io.sonde.debugger.proto.BreakpointInfo b = ctx.session().breakpoint();
            ctx.session().remote();
            ctx.follow().accept(new Follow("Waiting for the next task that " + b.getTaskName() + " submits to start",
                    x -> x.getReason() == io.sonde.debugger.proto.StopReason.REMOTE && x.getParentTaskId().equals(b.getTaskId()),
                    b, "before it submitted a task",
                    "Task " + b.getTaskName() + " finished without submitting a task; back to the list."));
            return Outcome.LIST;
        }
    }

    static final class Get extends BaseCommand {
        Get() {
            super("get", List.of(), "get", Needs.ATTACHED,
                    "continue until this task's result returns from its caller's get, and stop there");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            io.sonde.debugger.proto.BreakpointInfo b = ctx.session().breakpoint();
            ctx.session().returnToCaller();
            ctx.follow().accept(new Follow("Waiting for the caller of " + b.getTaskName() + " to get its result",
                    x -> x.getReason() == io.sonde.debugger.proto.StopReason.GET && x.getAwaitedTaskId().equals(b.getTaskId()),
                    b, "before it returned its result", null));
            return Outcome.LIST;
        }
    }

    static final class Detach extends BaseCommand {
        Detach() {
            super("detach", List.of(), "detach", Needs.ATTACHED,
                    "detach from the worker (the task goes on) and go back to the breakpoint list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            ctx.session().detach();
            ctx.out().println("Detached from " + ctx.session().breakpoint().getTaskName() + " (pid "
                    + ctx.session().pid() + "); the task goes on.");
            return Outcome.LIST;
        }
    }

    static final class Quit extends BaseCommand {
        Quit() {
            super("quit", List.of("q", "exit"), "quit", Needs.NOTHING, "leave the debugger (an attached task goes on)");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (ctx.session() != null) {
                ctx.session().resume();
            }
            return Outcome.QUIT;
        }
    }
}
