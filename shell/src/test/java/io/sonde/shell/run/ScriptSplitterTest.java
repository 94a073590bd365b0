package io.sonde.shell.run;

import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How a script is cut into snippets, and where each starts: what `sonde run` reports errors against. */
class ScriptSplitterTest {
    private static JShell jshell;

    @BeforeAll
    static void start() {
        // the analysis only parses; a local engine avoids starting a remote JVM
        jshell = JShell.builder().executionEngine("local").build();
    }

    @AfterAll
    static void stop() {
        jshell.close();
    }

    private static List<ScriptSplitter.Piece> split(String text) {
        return ScriptSplitter.split(text, jshell.sourceCodeAnalysis());
    }

    @Test
    void snippetsEndAtTheEndOfACompleteLineAsInJshellAndCommentsAreSkipped() {
        List<ScriptSplitter.Piece> pieces = split("""
                // a header comment
                int k = 5

                /* a block
                   comment */ int twice(int x) {
                    return 2 * x;
                }
                System.out.println(twice(k)); System.out.println(k);
                get(r)
                """);

        assertThat(pieces).extracting(ScriptSplitter.Piece::number).containsExactly(1, 2, 3, 4, 5);
        assertThat(pieces).extracting(ScriptSplitter.Piece::line).containsExactly(2, 5, 8, 8, 9);
        assertThat(pieces.get(0).source()).isEqualTo("int k = 5;");
        assertThat(pieces.get(1).source()).startsWith("int twice(int x) {").endsWith("}");
        assertThat(pieces.get(2).source()).isEqualTo("System.out.println(twice(k));");
        assertThat(pieces.get(3).source()).isEqualTo("System.out.println(k);");
        assertThat(pieces.get(4).source()).isEqualTo("get(r)");
    }

    @Test
    void aCallChainWithOneCallPerLineStaysOneSnippet() {
        List<ScriptSplitter.Piece> pieces = split("""
                var r = task(() -> 1)

                        .name("one")
                        .remote()
                get(r)
                """);

        assertThat(pieces).hasSize(2);
        assertThat(pieces.get(0).source()).startsWith("var r = task(() -> 1)").contains(".name(\"one\")").endsWith(".remote();");
        assertThat(pieces.get(1).line()).isEqualTo(5);
        assertThat(pieces.get(0).scriptLine(4)).isEqualTo(4);
    }

    @Test
    void anUnfinishedSnippetAtTheEndIsKeptForJshellToReport() {
        List<ScriptSplitter.Piece> pieces = split("int a = 1;\n\nint b = (a +\n");

        assertThat(pieces).hasSize(2);
        assertThat(pieces.get(1).line()).isEqualTo(3);
        assertThat(pieces.get(1).source()).isEqualTo("int b = (a +");
    }

    @Test
    void aShebangLineIsIgnoredAndCarriageReturnsAreLineEnds() {
        List<ScriptSplitter.Piece> pieces = split("#!/usr/bin/env sonde\r\nint a = 1;\r\nint b = 2;\r\n");

        assertThat(pieces).extracting(ScriptSplitter.Piece::line).containsExactly(2, 3);
    }

    @Test
    void argumentsBecomeAStringArrayOfJavaLiterals() {
        assertThat(ScriptRunner.argsSnippet(List.of())).isEqualTo("String[] args = {};");
        assertThat(ScriptRunner.argsSnippet(List.of("a b", "say \"hi\"", "back\\slash", "tab\tnew\nline", "\u00e9")))
                .isEqualTo("String[] args = {\"a b\", \"say \\\"hi\\\"\", \"back\\\\slash\", \"tab\\tnew\\nline\", \"\\u00e9\"};");
    }

    @Test
    void aLongOrMultiLineSnippetIsShortenedInOneLineMessages() {
        assertThat(new ScriptSplitter.Piece(1, 1, "get(task(() -> {\n  return 1;\n}).remote())").headline())
                .isEqualTo("get(task(() -> { ...");
        assertThat(new ScriptSplitter.Piece(1, 1, "x".repeat(150)).headline()).hasSize(100).endsWith("...");
    }

    @Test
    void aLineStartingWithASlashWhereASnippetCouldStartIsACommand() {
        List<ScriptSplitter.Piece> pieces = split(String.join("\n",
                "int a = 1;",
                "/vars",
                "// a comment, not a command",
                "/* nor this */ int b = (a",
                "    / 1);",
                "  /exit 3",
                ""));
        assertThat(pieces).containsExactly(
                new ScriptSplitter.Piece(1, 1, "int a = 1;"),
                new ScriptSplitter.Piece(0, 2, "/vars", true),
                new ScriptSplitter.Piece(2, 4, "int b = (a\n    / 1);"),
                new ScriptSplitter.Piece(0, 6, "/exit 3", true));
    }
}
