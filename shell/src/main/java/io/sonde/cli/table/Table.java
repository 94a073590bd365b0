package io.sonde.cli.table;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain text table: columns padded to their widest cell and separated by two spaces, so that
 * the output reads well and still splits on whitespace in scripts (empty cells print as "-").
 */
public final class Table {
    private final List<String> headers;
    private final List<String[]> rows = new ArrayList<>();
    private final boolean[] right;

    public Table(String... headers) {
        this.headers = List.of(headers);
        this.right = new boolean[headers.length];
    }

    /**
     * Pads the column's cells on the left, its header included, so that numbers of different
     * widths line up on their last digit ({@code 512B} under {@code 1.5KiB}).
     */
    public Table alignRight(String header) {
        int i = headers.indexOf(header);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + header + " in " + headers);
        }
        right[i] = true;
        return this;
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size()
                    + " columns " + headers);
        }
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            String s = cells[i] == null ? "" : cells[i].toString().replace('\n', ' ');
            text[i] = s.isEmpty() ? "-" : s;
        }
        rows.add(text);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        print(out, "");
    }

    public void print(PrintWriter out, String indent) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        line(out, indent, headers.toArray(new String[0]), widths, right);
        for (String[] r : rows) {
            line(out, indent, r, widths, right);
        }
        out.flush();
    }

    private static void line(PrintWriter out, String indent, String[] cells, int[] widths, boolean[] right) {
        StringBuilder b = new StringBuilder(indent);
        for (int i = 0; i < cells.length; i++) {
            int pad = widths[i] - cells[i].length();
            if (right[i]) {
                spaces(b, pad);
            }
            b.append(cells[i]);
            if (i < cells.length - 1) {
                spaces(b, (right[i] ? 0 : pad) + 2);
            }
        }
        out.println(b);
    }

    private static void spaces(StringBuilder b, int n) {
        char[] pad = new char[n];
        Arrays.fill(pad, ' ');
        b.append(pad);
    }
}
