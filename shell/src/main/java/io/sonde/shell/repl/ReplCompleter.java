package io.sonde.shell.repl;

import io.sonde.shell.repl.commands.CommandContext;
import io.sonde.shell.repl.commands.SlashCommand;
import io.sonde.shell.repl.commands.SlashCommands;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Documentation;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tab: Java through JShell's own completion (members, types, variables, methods of the
 * snippets), slash commands by name, and each command's arguments from the command itself
 * (ref variables for {@code /cancel}, actors for {@code /kill}, workers for {@code /logs}).
 * Where there is nothing to complete, inside a call's parentheses, Tab shows the signatures of
 * the method, and a second Tab its documentation, as in the jshell tool.
 *
 * <p>Runs on the shell's thread, under the line reader's lock: it prints with
 * {@link LineReader#printAbove} directly and never waits on the shell's output lock.
 */
final class ReplCompleter implements Completer {
    private static final int MAX_DOC_LINES = 20;

    private final SourceCodeAnalysis analysis;
    private final SlashCommands commands;
    private final CommandContext context;
    /** The buffer and cursor of the last Tab that showed signatures: a second Tab there shows documentation. */
    private String lastDocAt;

    ReplCompleter(SourceCodeAnalysis analysis, SlashCommands commands, CommandContext context) {
        this.analysis = analysis;
        this.commands = commands;
        this.context = context;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        try {
            if (ReplParser.isCommand(line.line())) {
                command(line, candidates);
            } else {
                java(reader, line, candidates);
            }
        } catch (RuntimeException e) {
            // completion is a convenience: a cluster that does not answer must not break typing
        }
    }

    private void command(ParsedLine line, List<Candidate> candidates) {
        if (line.wordIndex() == 0) {
            for (String n : commands.names()) {
                candidates.add(new Candidate(n, n, null, help(n), null, null, true));
            }
            return;
        }
        Optional<SlashCommand> c = commands.find(line.words().get(0));
        if (c.isEmpty()) {
            return;
        }
        String before = line.line().substring(0, line.cursor());
        String typed = before.substring(Math.min(before.length(), before.indexOf(line.words().get(0))
                + line.words().get(0).length())).stripLeading();
        for (String s : c.get().complete(context, typed)) {
            candidates.add(new Candidate(s, s, null, null, null, null, !s.endsWith("/")));
        }
    }

    private String help(String name) {
        return commands.find(name).filter(c -> ("/" + c.name()).equals(name)).map(SlashCommand::help).orElse(null);
    }

    private void java(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String buffer = line.line();
        int cursor = line.cursor();
        int wordStart = cursor - line.word().length();
        int[] anchor = new int[1];
        List<Suggestion> suggestions = analysis.completionSuggestions(buffer, cursor, anchor);
        Set<String> seen = new LinkedHashSet<>();
        for (Suggestion s : suggestions) {
            String value;
            if (anchor[0] >= wordStart) {
                value = buffer.substring(wordStart, anchor[0]) + s.continuation();
            } else if (s.continuation().startsWith(buffer.substring(anchor[0], wordStart))) {
                value = s.continuation().substring(wordStart - anchor[0]);
            } else {
                continue;
            }
            if (seen.add(value)) {
                candidates.add(new Candidate(value, value, s.matchesType() ? "matching type" : null, null, null, null,
                        false));
            }
        }
        if (candidates.isEmpty()) {
            documentation(reader, buffer, cursor);
        } else {
            lastDocAt = null;
        }
    }

    /** Signatures of the method being called; on a second Tab at the same place, its javadoc. */
    private void documentation(LineReader reader, String buffer, int cursor) {
        String at = cursor + ":" + buffer;
        boolean second = at.equals(lastDocAt);
        List<Documentation> docs = analysis.documentation(buffer, cursor, second);
        if (docs.isEmpty()) {
            lastDocAt = null;
            return;
        }
        StringBuilder b = new StringBuilder();
        for (Documentation d : docs) {
            b.append(d.signature()).append('\n');
            if (second) {
                String javadoc = d.javadoc();
                if (javadoc == null || javadoc.isBlank()) {
                    b.append("  (no documentation: the JDK's sources, src.zip, are not installed)\n");
                } else {
                    String[] lines = javadoc.strip().split("\\R");
                    for (int i = 0; i < Math.min(lines.length, MAX_DOC_LINES); i++) {
                        b.append("  ").append(lines[i]).append('\n');
                    }
                    if (lines.length > MAX_DOC_LINES) {
                        b.append("  ...\n");
                    }
                }
            }
        }
        if (!second) {
            b.append("<press Tab again to see the documentation>\n");
        }
        reader.printAbove(b.toString());
        lastDocAt = second ? null : at;
    }
}
