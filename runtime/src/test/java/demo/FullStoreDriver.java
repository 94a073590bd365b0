package demo;

import io.sonde.ObjectRef;
import io.sonde.ObjectStoreFullException;
import io.sonde.Sonde;

import java.util.ArrayList;
import java.util.List;

/**
 * A user's driver (outside Sonde's packages, whose frames call sites skip): keeps every ref it
 * puts, 3 MiB each, until the store refuses one, and prints why.
 */
public final class FullStoreDriver {
    private FullStoreDriver() {
    }

    public static void main(String[] args) {
        Sonde.init(args[0]);
        List<ObjectRef<byte[]>> kept = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                kept.add(Sonde.put(new byte[3 << 20]));
            }
            System.out.println("no put failed; kept " + kept.size());
        } catch (ObjectStoreFullException e) {
            System.out.println("kept " + kept.size() + ": " + e.getMessage());
        } finally {
            Sonde.shutdown();
        }
    }
}
