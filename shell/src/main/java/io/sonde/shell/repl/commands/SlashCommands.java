package io.sonde.shell.repl.commands;

import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The shell's one table of slash commands: names, aliases, help, argument completion and
 * dispatch all come from here. Thread-safe for reads once built; add commands before the shell
 * starts reading.
 */
public final class SlashCommands {
    private final Map<String, SlashCommand> byName = new LinkedHashMap<>();
    private final List<SlashCommand> commands = new ArrayList<>();

    /** The commands every shell has. */
    public static SlashCommands standard() {
        return new SlashCommands()
                .add(new HelpCommand())
                .add(new StatusCommand())
                .add(new TopCommand())
                .add(new MemoryCommand())
                .add(TableCommand.tasks())
                .add(TableCommand.actors())
                .add(TableCommand.workers())
                .add(TableCommand.nodes())
                .add(new LogsCommand())
                .add(new DebugCommand())
                .add(new ProfileCommand())
                .add(new StackCommand())
                .add(new CancelCommand())
                .add(new KillCommand())
                .add(new VarsCommand())
                .add(DeclarationsCommand.methods())
                .add(DeclarationsCommand.types())
                .add(new ListCommand())
                .add(new ImportsCommand())
                .add(new OpenCommand())
                .add(new SaveCommand())
                .add(new ExitCommand());
    }

    /** Registers a command; its name and aliases must be new. */
    public synchronized SlashCommands add(SlashCommand command) {
        List<String> names = new ArrayList<>();
        names.add(command.name());
        names.addAll(command.aliases());
        for (String n : names) {
            if (byName.containsKey(key(n))) {
                throw new IllegalArgumentException("/" + n + " is already a command");
            }
        }
        for (String n : names) {
            byName.put(key(n), command);
        }
        commands.add(command);
        return this;
    }

    public synchronized List<SlashCommand> all() {
        return List.copyOf(commands);
    }

    /** Every name and alias, with the slash: what Tab offers after {@code /}. */
    public synchronized List<String> names() {
        return byName.keySet().stream().map(n -> "/" + n).sorted().toList();
    }

    /** The command a name or alias names, or a unique prefix of one ({@code /he} for {@code /help}). */
    public synchronized Optional<SlashCommand> find(String typed) {
        String k = key(typed.startsWith("/") ? typed.substring(1) : typed);
        SlashCommand exact = byName.get(k);
        if (exact != null) {
            return Optional.of(exact);
        }
        List<SlashCommand> matches = commands.stream()
                .filter(c -> key(c.name()).startsWith(k) || c.aliases().stream().anyMatch(a -> key(a).startsWith(k)))
                .toList();
        return !k.isEmpty() && matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    /**
     * Runs {@code /name args}. Failures are printed, not thrown: an unknown command names the
     * close matches, a command that cannot do its job says why.
     */
    public void run(String line, CommandContext context) {
        String s = line.strip();
        int space = indexOfWhitespace(s);
        String name = space < 0 ? s : s.substring(0, space);
        String args = space < 0 ? "" : s.substring(space).strip();
        Optional<SlashCommand> command = find(name);
        if (command.isEmpty()) {
            context.out().println(unknown(name));
            context.out().flush();
            return;
        }
        SlashCommand c = command.get();
        try {
            if (c.needsCluster()) {
                context.cluster(); // says so when there is none
            }
            c.run(context, args);
        } catch (CommandException e) {
            context.out().println(e.getMessage());
        } catch (StatusRuntimeException e) {
            context.out().println("/" + c.name() + " failed: the cluster did not answer (" + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription())
                    + "). Check it with /status; if it stopped, leave with /exit and start it again.");
        }
        context.out().flush();
    }

    /** {@code Unknown command: /stauts. Did you mean /status?}, or the pointer to /help. */
    String unknown(String typed) {
        String t = typed.startsWith("/") ? typed.substring(1) : typed;
        List<String> close = closeMatches(t);
        String ambiguous = ambiguousPrefix(t);
        StringBuilder b = new StringBuilder("Unknown command: /" + t + ".");
        if (ambiguous != null) {
            b.append(" It could be any of ").append(ambiguous).append(": type more of the name.");
        } else if (!close.isEmpty()) {
            b.append(" Did you mean ").append(String.join(" or ", close)).append("?");
        }
        b.append(" Type /help for the list of commands.");
        return b.toString();
    }

    private synchronized String ambiguousPrefix(String t) {
        if (t.isEmpty()) {
            return null;
        }
        List<String> m = byName.keySet().stream().filter(n -> n.startsWith(key(t))).sorted().map(n -> "/" + n).toList();
        return m.size() > 1 ? String.join(", ", m) : null;
    }

    /** Names within two edits of what was typed, closest first. */
    synchronized List<String> closeMatches(String typed) {
        String t = key(typed);
        List<Map.Entry<String, Integer>> scored = new ArrayList<>();
        for (String n : byName.keySet()) {
            int d = distance(t, n);
            if (d <= Math.max(1, Math.min(2, n.length() / 3))) {
                scored.add(Map.entry(n, d));
            }
        }
        scored.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).thenComparing(Map.Entry::getKey));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : scored) {
            out.add("/" + e.getKey());
        }
        return Collections.unmodifiableList(out.subList(0, Math.min(3, out.size())));
    }

    /** Levenshtein distance, with a swap of two neighbours counting as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
