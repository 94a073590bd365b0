package io.sonde.internal.node.sched;

import io.sonde.proto.TaskSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPUs, memory bytes and custom resources: what a node has, what is free, what a task needs.
 * Mutable and not thread-safe: guarded by the node manager's lock.
 */
public final class ResourceSet {
    private static final double EPSILON = 1e-9;

    private double cpus;
    private long memory;
    private final Map<String, Double> custom = new LinkedHashMap<>();

    public ResourceSet(double cpus, long memory, Map<String, Double> custom) {
        this.cpus = cpus;
        this.memory = memory;
        this.custom.putAll(custom);
    }

    public double cpus() {
        return cpus;
    }

    /** Adds CPUs (negative: removes them): a task waiting in get lends its CPUs back, and takes them again. */
    public void addCpus(double delta) {
        cpus += delta;
    }

    public ResourceSet copy() {
        return new ResourceSet(cpus, memory, custom);
    }

    public boolean fits(TaskSpec spec) {
        if (spec.getNumCpus() > cpus + EPSILON || spec.getMemory() > memory) {
            return false;
        }
        for (Map.Entry<String, Double> need : spec.getResourcesMap().entrySet()) {
            if (need.getValue() > custom.getOrDefault(need.getKey(), 0.0) + EPSILON) {
                return false;
            }
        }
        return true;
    }

    public void take(TaskSpec spec) {
        add(spec, -1, true);
    }

    /** Gives back what the task held; its CPUs only if it did not lend them already. */
    public void give(TaskSpec spec, boolean cpusToo) {
        add(spec, 1, cpusToo);
    }

    private void add(TaskSpec spec, int sign, boolean cpusToo) {
        if (cpusToo) {
            cpus += sign * spec.getNumCpus();
        }
        memory += sign * spec.getMemory();
        spec.getResourcesMap().forEach((k, v) -> custom.merge(k, sign * v, Double::sum));
    }

    /**
     * How used a node with these totals is when {@code available} is free: the fraction used of
     * its most used resource (Ray's critical resource utilization), 0 for a node with nothing.
     */
    public double usedFraction(ResourceSet available) {
        double most = fraction(cpus, available.cpus);
        most = Math.max(most, fraction(memory, available.memory));
        for (Map.Entry<String, Double> r : custom.entrySet()) {
            most = Math.max(most, fraction(r.getValue(), available.custom.getOrDefault(r.getKey(), 0.0)));
        }
        return most;
    }

    private static double fraction(double total, double free) {
        return total <= EPSILON ? 0 : Math.max(0, Math.min(1, (total - free) / total));
    }

    /** {@code CPU: 2, memory: 1.5 GiB, GPU: 1}, for error messages. */
    public String describe() {
        StringBuilder b = new StringBuilder("CPU: ").append(trim(cpus))
                .append(", memory: ").append(String.format("%.1f GiB", memory / (1024.0 * 1024 * 1024)));
        custom.forEach((k, v) -> b.append(", ").append(k).append(": ").append(trim(v)));
        return b.toString();
    }

    public static String describe(TaskSpec spec) {
        StringBuilder b = new StringBuilder("CPU: ").append(trim(spec.getNumCpus()));
        if (spec.getMemory() > 0) {
            b.append(", memory: ").append(String.format("%.1f GiB", spec.getMemory() / (1024.0 * 1024 * 1024)));
        }
        spec.getResourcesMap().forEach((k, v) -> b.append(", ").append(k).append(": ").append(trim(v)));
        return b.toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
