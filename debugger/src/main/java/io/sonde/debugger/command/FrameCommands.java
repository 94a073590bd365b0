package io.sonde.debugger.command;

import io.sonde.debugger.DebugException;
import io.sonde.debugger.DebugSession;

import java.util.List;

/** Moving among the user's frames and looking at their source. */
final class FrameCommands {
    private FrameCommands() {
    }

    /** Prints a frame as {@code where} and the frame-moving commands show it. */
    static void show(CommandContext ctx, DebugSession.Frame f) {
        ctx.out().println("#" + f.index() + "  " + ctx.sources().describe(f));
        ctx.out().print(ctx.sources().line(f));
    }

    static final class Where extends BaseCommand {
        Where() {
            super("where", List.of("bt"), "where", Needs.STOPPED, "show the task's frames, innermost (0) first");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            int selected = ctx.session().selectedFrame();
            for (DebugSession.Frame f : ctx.session().frames()) {
                ctx.out().println((f.index() == selected ? "=> " : "   ") + "#" + f.index() + "  "
                        + ctx.sources().describe(f));
            }
            return Outcome.STAY;
        }
    }

    /** {@code up} and {@code down}: the same command, moving the other way. */
    static final class Move extends BaseCommand {
        private final java.util.function.Function<DebugSession, DebugSession.Frame> move;

        private Move(String name, String help, java.util.function.Function<DebugSession, DebugSession.Frame> move) {
            super(name, List.of(), name, Needs.STOPPED, help);
            this.move = move;
        }

        static Move up() {
            return new Move("up", "select the caller's frame", DebugSession::up);
        }

        static Move down() {
            return new Move("down", "select the frame it called", DebugSession::down);
        }

        @Override
        public boolean repeatable() {
            return true;
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            show(ctx, move.apply(ctx.session()));
            return Outcome.STAY;
        }
    }

    static final class FrameCmd extends BaseCommand {
        FrameCmd() {
            super("frame", List.of("f"), "frame N", Needs.STOPPED, "select frame N (as numbered by where)");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                show(ctx, ctx.session().frame());
                return Outcome.STAY;
            }
            try {
                show(ctx, ctx.session().selectFrame(Integer.parseInt(args.trim())));
            } catch (NumberFormatException e) {
                throw new DebugException("usage: frame N, with N a frame number from `where`");
            }
            return Outcome.STAY;
        }
    }

    static final class ListCmd extends BaseCommand {
        ListCmd() {
            super("list", List.of("l"), "list [LINE]", Needs.STOPPED, "show the source around the frame's line (or LINE)");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            DebugSession.Frame f = ctx.session().frame();
            int center = ctx.sources().lineNumber(f);
            if (!args.isBlank()) {
                try {
                    center = Integer.parseInt(args.trim());
                } catch (NumberFormatException e) {
                    throw new DebugException("usage: list [LINE]");
                }
            }
            ctx.out().println(ctx.sources().describe(f));
            ctx.out().print(ctx.sources().around(f, center));
            return Outcome.STAY;
        }
    }
}
