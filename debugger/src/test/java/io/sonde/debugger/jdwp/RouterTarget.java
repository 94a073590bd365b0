package io.sonde.debugger.jdwp;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * The VM {@link JdwpRouterTest} debugs: one thread calls {@link #alpha} in a loop, another {@link #beta};
 * a line "exit" on stdin (or the end of stdin) ends it.
 */
public final class RouterTarget {
    static volatile long alphaCalls;
    static volatile long betaCalls;

    private RouterTarget() {
    }

    public static void main(String[] args) throws Exception {
        loop("alpha-loop", true);
        loop("beta-loop", false);
        System.out.println("ready");
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = stdin.readLine()) != null && !line.equals("exit")) {
            // wait for the word
        }
        System.exit(0);
    }

    private static void loop(String name, boolean alpha) {
        Thread t = new Thread(() -> {
            for (int i = 0; ; i++) {
                if (alpha) {
                    alpha(i);
                } else {
                    beta(i);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    static int alpha(int n) {
        int twice = n * 2;
        alphaCalls++;
        return twice + 1;
    }

    static int beta(int n) {
        int thrice = n * 3;
        betaCalls++;
        return thrice + 1;
    }
}
