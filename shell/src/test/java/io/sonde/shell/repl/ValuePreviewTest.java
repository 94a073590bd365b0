package io.sonde.shell.repl;

import jdk.jshell.execution.DirectExecutionControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the shell shows after {@code ==>}: jshell's text for small values, a preview for large ones. */
class ValuePreviewTest {
    /** JShell's own text of a value, as its local engine makes it. */
    private static final class JShellText extends DirectExecutionControl {
        static String of(Object value) {
            return valueString(value);
        }
    }

    @Test
    void smallValuesReadAsJshellShowsThem() {
        List<Object> values = List.of("plain", "quote \" and \\ and tab\t and newline\n and \u0001 and \u00e9 and \u4e2d",
                'x', '\'', '\n', 42, 4.5, new int[] {1, 2, 3}, new int[0], new String[] {"a", null, "c"},
                new char[] {'a', '\t'}, new int[][] {{1}, {2, 3}}, new Object[] {"s", 1, new long[] {7}},
                List.of(1, 2, 3), new ArrayList<>(List.of("a", "b")), new LinkedHashMap<>(Map.of("k", 1)),
                Arrays.asList(1, null), new StringBuilder("sb"));
        for (Object v : values) {
            assertThat(ValuePreview.of(v)).as(JShellText.of(v)).isEqualTo(JShellText.of(v));
        }
        assertThat(ValuePreview.of(null)).isEqualTo("null");
    }

    @Test
    void aLargeArrayShowsItsTypeLengthAndFirstElements() {
        assertThat(ValuePreview.of(new byte[200 << 20])).isEqualTo("byte[209715200] { 0, 0, 0, ... }");
        assertThat(ValuePreview.of(IntStream.range(0, 21).toArray())).isEqualTo("int[21] { 0, 1, 2, ... }");
        assertThat(ValuePreview.of(IntStream.range(0, 20).toArray())).isEqualTo(JShellText.of(IntStream.range(0, 20).toArray()));
        assertThat(ValuePreview.of(new String[1000][2])).isEqualTo(
                "String[1000][] { String[2] { null, null }, String[2] { null, null }, String[2] { null, null }, ... }");
    }

    @Test
    void aLongStringShowsItsFirstCharactersAndItsLength() {
        String text = ValuePreview.of("a".repeat(100 << 20));
        assertThat(text).isEqualTo("\"" + "a".repeat(ValuePreview.MAX_LENGTH - 1) + "\" ... (104857600 characters)");
        String escaped = ValuePreview.of("\n".repeat(1000));
        assertThat(escaped).startsWith("\"\\n\\n").endsWith("\" ... (1000 characters)").hasSizeLessThan(600);
    }

    @Test
    void largeCollectionsAndMapsShowTheirFirstElementsAndHowManyThereAre() {
        List<Integer> list = new ArrayList<>(IntStream.range(0, 10_000_000).boxed().toList());
        assertThat(ValuePreview.of(list)).isEqualTo("[0, 1, 2, ...] (10000000 elements)");
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < 5000; i++) {
            map.put("k" + i, i);
        }
        assertThat(ValuePreview.of(map)).isEqualTo("{k0=0, k1=1, k2=2, ...} (5000 entries)");
        assertThat(ValuePreview.of(List.of(List.of(1, 2), "s"))).isEqualTo("[[1, 2], s]");
    }

    @Test
    void noValueTakesMuchMoreThanTheLimit() {
        List<String> longs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            longs.add("x".repeat(10_000));
        }
        String text = ValuePreview.of(longs);
        assertThat(text).hasSizeLessThan(ValuePreview.MAX_LENGTH + 100).startsWith("[xxx").endsWith("x ... (10000 characters), ...] (10 elements)");
        Object[] self = new Object[1];
        self[0] = self;
        assertThat(ValuePreview.of(self)).startsWith("Object[1] { Object[1] { ").endsWith("... } } } } } } } } }");
        List<Object> holder = new ArrayList<>();
        holder.add(holder);
        assertThat(ValuePreview.of(holder)).isEqualTo(holder.toString());
        Map<Object, Object> m = new HashMap<>();
        m.put("me", m);
        assertThat(ValuePreview.of(m)).isEqualTo(m.toString());
        Object huge = new Object() {
            @Override
            public String toString() {
                return "y".repeat(2_000);
            }
        };
        assertThat(ValuePreview.of(huge)).isEqualTo("y".repeat(ValuePreview.MAX_LENGTH) + " ... (2000 characters)");
    }
}
