package io.sonde.debugger.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * The program {@link EvaluatorTest} runs under JDI: {@link #run()} fills locals of several types
 * and calls {@link #here()}, where the test's breakpoint stops the main thread for good. The
 * expressions are evaluated in {@code run}'s frame, one above the breakpoint. It prints nothing,
 * so the launched VM's output pipes never fill.
 */
public final class EvaluatorTarget {
    static int counter = 7;
    static final String GREETING = "hi";

    private int hits = 3;
    private int spare;
    final String label = "target";

    /** An object with fields and its own {@code toString()}. */
    static final class Point {
        static final Point ORIGIN = new Point(0, 0, "origin");
        final int x;
        final int y;
        String name;

        Point(int x, int y, String name) {
            this.x = x;
            this.y = y;
            this.name = name;
        }

        int sum() {
            return x + y;
        }

        @Override
        public String toString() {
            return "(" + x + ", " + y + ")";
        }
    }

    /** An object without a {@code toString()} of its own. */
    static final class Box {
        int n = 5;
        Point point = new Point(1, 2, "inner");
        Object empty;
    }

    public static void main(String[] args) {
        new EvaluatorTarget().run();
    }

    @SuppressWarnings("unused") // the locals are read by the debugger, not by this code
    void run() {
        int i = 7;
        long big = 10_000_000_000L;
        double d = 2.5;
        float f = 1.5f;
        boolean flag = true;
        char c = 'x';
        String s = "hello";
        int[] numbers = {1, 2, 3};
        String[] words = {"alpha", "beta"};
        List<String> list = new ArrayList<>(List.of("a", "b"));
        Point p = new Point(3, 4, "p");
        Box box = new Box();
        Integer boxed = 42;
        Object nothing = null;
        int[] noArray = null;
        double root = Math.sqrt(16);
        int scratch = 0;
        here();
    }

    static void here() {
        // the breakpoint
    }

    int twice(int n) {
        return 2 * n;
    }

    static String greet(String who) {
        return GREETING + " " + who;
    }

    String fail() {
        throw new IllegalStateException("boom at hit " + hits);
    }
}
