package io.sonde.internal.node.worker;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link WorkerClassArchiveTest}: loads classes from a jar, then prints
 * whether the JVM mapped the archive {@code args[0]} (its {@code /proc/self/maps} names the file).
 */
public final class ArchiveProbe {
    private ArchiveProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(Struct.newBuilder().putFields("probe", Value.newBuilder().setNumberValue(1).build()).build());
        if (args.length > 0) {
            boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains(args[0]);
            System.out.println("mapped=" + mapped);
        }
    }
}
