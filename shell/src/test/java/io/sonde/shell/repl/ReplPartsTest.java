package io.sonde.shell.repl;

import io.sonde.shell.repl.commands.CommandContext;
import io.sonde.shell.repl.commands.SlashCommands;
import jdk.jshell.VarSnippet;
import org.jline.reader.Candidate;
import org.jline.reader.EOFError;
import org.jline.reader.Parser;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shell's pieces that need JShell but no cluster: when input is complete, how it is cut
 * into snippets, what Tab offers, how lines are coloured and how errors are shown.
 */
class ReplPartsTest {
    private static ShellEngine engine;
    private static final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeAll
    static void startJShell() {
        PrintStream out = new PrintStream(printed, true);
        engine = ShellEngine.create(InputStream.nullInputStream(), out, out);
    }

    @AfterAll
    static void stopJShell() {
        engine.close();
    }

    @Test
    void enterOpensAContinuationLineUntilTheSnippetIsComplete() {
        ReplParser parser = new ReplParser(engine.analysis());
        assertThatThrownBy(() -> parser.parse("void f() {", 10, Parser.ParseContext.ACCEPT_LINE))
                .isInstanceOf(EOFError.class);
        assertThatThrownBy(() -> parser.parse("int x = 1; String s = \"a\" +", 27, Parser.ParseContext.ACCEPT_LINE))
                .isInstanceOf(EOFError.class);
        parser.parse("void f() {\n}", 12, Parser.ParseContext.ACCEPT_LINE);
        parser.parse("1 + 1", 5, Parser.ParseContext.ACCEPT_LINE);
        parser.parse("/help", 5, Parser.ParseContext.ACCEPT_LINE);
        parser.parse("int x = ", 8, Parser.ParseContext.COMPLETE); // Tab never asks for more lines
    }

    @Test
    void oneLineMayHoldSeveralSnippets() {
        assertThat(ReplParser.snippets(engine.analysis(), "int a = 1; int b = a + 1;\na + b"))
                .containsExactly("int a = 1;", "int b = a + 1;", "a + b");
        assertThat(ReplParser.isCommand("/tasks")).isTrue();
        assertThat(ReplParser.isCommand("// a comment")).isFalse();
        assertThat(ReplParser.isCommand("/* a comment */ 1")).isFalse();
    }

    @Test
    void tabCompletesJavaAndCommands() {
        ReplCompleter completer = new ReplCompleter(engine.analysis(), SlashCommands.standard(), context());
        ReplParser parser = new ReplParser(engine.analysis());

        List<Candidate> java = new ArrayList<>();
        String line = "System.out.pr";
        completer.complete(null, parser.parse(line, line.length(), Parser.ParseContext.COMPLETE), java);
        assertThat(java).extracting(Candidate::value).contains("println(", "print(", "printf(");

        List<Candidate> sonde = new ArrayList<>();
        line = "Sonde.ca";
        completer.complete(null, parser.parse(line, line.length(), Parser.ParseContext.COMPLETE), sonde);
        assertThat(sonde).extracting(Candidate::value).contains("cancel(");

        List<Candidate> commands = new ArrayList<>();
        completer.complete(null, parser.parse("/ta", 3, Parser.ParseContext.COMPLETE), commands);
        assertThat(commands).extracting(Candidate::value).contains("/tasks", "/help", "/exit");

        engine.eval("var refs = List.<ObjectRef<Integer>>of();");
        engine.eval("ObjectRef<Integer> r = null;");
        List<Candidate> refs = new ArrayList<>();
        completer.complete(null, parser.parse("/cancel ", 8, Parser.ParseContext.COMPLETE), refs);
        assertThat(refs).extracting(Candidate::value).contains("r", "refs");
    }

    @Test
    void keywordsStringsAndNumbersAreColouredUnlessColourIsOff() {
        AttributedString s = new JavaHighlighter(true).highlight("int x = 42; String s = \"int\"; // int");
        assertThat(s.toString()).isEqualTo("int x = 42; String s = \"int\"; // int");
        assertThat(s.styleAt(0)).isNotEqualTo(AttributedStyle.DEFAULT);        // int
        assertThat(s.styleAt(4)).isEqualTo(AttributedStyle.DEFAULT);           // x
        assertThat(s.styleAt(8)).isNotEqualTo(AttributedStyle.DEFAULT);        // 42
        assertThat(s.styleAt(24)).isEqualTo(s.styleAt(23));                     // "int" is a string, not a keyword
        assertThat(s.styleAt(24)).isNotEqualTo(s.styleAt(0));
        AttributedString plain = new JavaHighlighter(false).highlight("int x = 42;");
        for (int i = 0; i < plain.length(); i++) {
            assertThat(plain.styleAt(i)).isEqualTo(AttributedStyle.DEFAULT);
        }
    }

    @Test
    void feedbackReadsAsTheJshellTools() {
        SnippetPrinter printer = SnippetPrinter.of(engine, SnippetPrinter.Feedback.NORMAL);
        assertThat(printer.describe(engine.eval("int k = 5;"))).isEqualTo("k ==> 5\n");
        assertThat(printer.describe(engine.eval("k = 6"))).isEqualTo("k ==> 6\n");
        assertThat(printer.describe(engine.eval("int twice(int x) { return 2 * x; }")))
                .isEqualTo("|  created method twice(int)\n");
        assertThat(printer.describe(engine.eval("int twice(int x) { return x + x; }")))
                .isEqualTo("|  modified method twice(int)\n");
        assertThat(printer.describe(engine.eval("record P(String name, int age) {}"))).isEqualTo("|  created record P\n");
        assertThat(printer.describe(engine.eval("record P(String name) {}"))).isEqualTo("|  replaced record P\n");
        assertThat(printer.describe(engine.eval("int g() { return notYet; }")))
                .isEqualTo("|  created method g(), however, it cannot be invoked until variable notYet is declared\n");
        assertThat(printer.describe(engine.eval("twice(k)"))).matches("\\$\\d+ ==> 12\n");
        assertThat(printer.describe(engine.eval("import java.util.concurrent.*;"))).isEmpty();
        assertThat(printer.describe(engine.eval("int bad = \"x\";"))).isEqualTo(String.join("\n",
                "|  Error:",
                "|  incompatible types: java.lang.String cannot be converted to int",
                "|  int bad = \"x\";",
                "|            ^-^",
                ""));
        assertThat(printer.describe(engine.eval("void boom() {\n  throw new IllegalStateException(\"no\");\n}")))
                .isEqualTo("|  created method boom()\n");
        String trace = printer.describe(engine.eval("boom()"));
        assertThat(trace).startsWith("|  Exception java.lang.IllegalStateException: no\n")
                .containsPattern("\\|        at snippet \\d+, line 2: throw new IllegalStateException\\(\"no\"\\);\n")
                .containsPattern("\\|        at snippet \\d+, line 1: boom\\(\\)\n");
        assertThat(SnippetPrinter.of(engine, SnippetPrinter.Feedback.QUIET).describe(engine.eval("int quiet = 1;")))
                .isEmpty();
    }

    /**
     * The value of {@code var big = new byte[200 << 20];} is previewed, not made into a
     * 600-million-character string first: the shell answers at once, and so does {@code /vars}.
     */
    @Test
    void aLargeValueIsPreviewedAtOnce() {
        SnippetPrinter printer = SnippetPrinter.of(engine, SnippetPrinter.Feedback.NORMAL);
        long start = System.nanoTime();
        String shown = printer.describe(engine.eval("var big = new byte[200 << 20];"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(shown).isEqualTo("big ==> byte[209715200] { 0, 0, 0, ... }\n");
        assertThat(took).as("evaluating and printing a 200 MiB array").isLessThan(Duration.ofSeconds(3));
        VarSnippet big = engine.variables().stream().filter(v -> v.name().equals("big")).findFirst().orElseThrow();
        assertThat(engine.jshell().varValue(big)).isEqualTo("byte[209715200] { 0, 0, 0, ... }");
        assertThat(printer.describe(engine.eval("\"ab\".repeat(1 << 20)"))).endsWith("\" ... (2097152 characters)\n");
        engine.eval("big = null;"); // the memory goes back
    }

    /**
     * A snippet class numbers the lines of the source JShell compiled, not of the snippet: what a
     * debugger (and a raw stack frame) sees is mapped back to the snippet's line and text.
     */
    @Test
    void linesOfSnippetClassesMapToTheSnippetsLines() {
        engine.eval("StackTraceElement here() {\n    int pad = 0;\n    return new Throwable().getStackTrace()[0];\n}");
        engine.eval("var frame = here();");
        StackTraceElement raw = (StackTraceElement) engine.valueOf("frame").orElseThrow();
        assertThat(raw.getClassName()).matches("REPL\\.\\$JShell\\$\\d+");
        assertThat(raw.getLineNumber()).as("the wrapper's line").isNotEqualTo(3);
        String id = raw.getClassName().substring("REPL.$JShell$".length());

        SnippetLocator locator = engine.locator();
        assertThat(locator.locate(raw.getClassName(), raw.getLineNumber()))
                .hasValueSatisfying(l -> assertThat(l.toString()).isEqualTo("snippet " + id + ", line 3"));
        assertThat(locator.describe(raw)).isEqualTo("at snippet " + id + ", line 3: return new Throwable().getStackTrace()[0];");
        assertThat(locator.locate("io.x.Tasks", 3)).isEmpty();

        SnippetSources sources = new SnippetSources(locator);
        assertThat(sources.find(raw.getClassName(), "here", raw.getLineNumber())).hasValueSatisfying(src -> {
            assertThat(src.where()).isEqualTo("snippet " + id + ", line 3, in here()");
            assertThat(src.line()).isEqualTo(3);
            assertThat(src.lines()).containsExactly("StackTraceElement here() {", "    int pad = 0;",
                    "    return new Throwable().getStackTrace()[0];", "}");
        });

        assertThat(SnippetLocator.within("REPL.$JShell$12$Counter", "increment")).isEqualTo(", in Counter.increment()");
        assertThat(SnippetLocator.within("REPL.$JShell$12", "lambda$square$0")).isEqualTo(", in a lambda in square()");
        assertThat(SnippetLocator.within("REPL.$JShell$12", "lambda$do_it$Aux$c06b99ef$1")).isEqualTo(", in a lambda");
        assertThat(SnippetLocator.within("REPL.$JShell$12", "do_it$Aux")).isEmpty();
        assertThat(SnippetLocator.within("", "ratio")).isEqualTo(", in ratio()");
    }

    private static CommandContext context() {
        return new CommandContext() {
            @Override
            public ShellEngine engine() {
                return engine;
            }

            @Override
            public PrintWriter out() {
                return new PrintWriter(new ByteArrayOutputStream());
            }

            @Override
            public PrintWriter plainOut() {
                return out();
            }

            @Override
            public io.sonde.debugger.LineInput lineInput() {
                return prompt -> null; // no input in this test
            }

            @Override
            public ClusterView cluster() {
                throw new IllegalStateException("no cluster in this test");
            }

            @Override
            public SlashCommands commands() {
                return SlashCommands.standard();
            }

            @Override
            public void exit() {
            }

            @Override
            public void open(Path file) {
            }
        };
    }
}
