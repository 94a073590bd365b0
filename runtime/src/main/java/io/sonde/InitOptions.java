package io.sonde;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;

/**
 * Options for {@link Sonde#init(InitOptions)}. Fluent and mutable; read once by {@code init}.
 * <pre>{@code Sonde.init(new InitOptions().numCpus(4).logToDriver(false));}</pre>
 */
public final class InitOptions {
    private String address;
    /** null: not set, an anonymous namespace of the job's own. */
    private String namespace;
    /** -1: not set, all processors. */
    private int numCpus = -1;
    /** 0: not set, the node's cgroup limit or the machine's memory. */
    private long memory;
    /** 0: not set, a share of the node's memory. */
    private long objectStoreMemory;
    /** null: not set, the session directory's {@code spill}. */
    private java.nio.file.Path objectSpillingDirectory;
    private boolean logToDriver = true;
    /** The debugger's option that {@link #debugPostMortem(boolean)} sets. */
    static final String POST_MORTEM = "debugger.post-mortem";
    private final Map<String, String> pluginOptions = new LinkedHashMap<>();
    private final List<String> workerJvmOptions = new ArrayList<>();
    private final Map<String, Double> resources = new LinkedHashMap<>();

    /** {@code sonde://host:port} of a running cluster; empty or null starts an embedded one. */
    public InitOptions address(String address) {
        this.address = address;
        return this;
    }

    /**
     * CPUs of the embedded node; unset (the default), the machine's processor count. 0 means none:
     * the node runs only what needs no CPU (actors, and tasks of {@code numCpus(0)}), as a head
     * that should only coordinate.
     */
    public InitOptions numCpus(int numCpus) {
        if (numCpus < 0) {
            throw new IllegalArgumentException("numCpus must be 0 (nothing that needs a CPU runs) or more, got " + numCpus
                    + "; leave it unset for all processors");
        }
        this.numCpus = numCpus;
        return this;
    }

    /**
     * Memory of the embedded node, in bytes, as {@code sonde start --head --memory}: the memory
     * monitor kills a worker when the node's workers together use more than its threshold
     * ({@code SONDE_MEMORY_USAGE_THRESHOLD}, 0.95) of it, and {@code .memory()} admission counts
     * against it. Unset, the node's cgroup limit, else the machine's memory.
     */
    public InitOptions memory(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memory must be a number of bytes above 0, got " + bytes
                    + "; leave it unset for the machine's memory");
        }
        this.memory = bytes;
        return this;
    }

    /** The embedded node's memory in bytes; 0 when unset. */
    public long memory() {
        return memory;
    }

    /**
     * Bytes of shared memory the embedded node's object store holds, as
     * {@code sonde start --head --object-store-memory}: values larger than its threshold go there,
     * and spill to disk when it is full. Unset, 30% of the node's memory (as Ray's object store).
     * {@code Sonde.init} refuses a store larger than the node's memory ({@link #memory(long)}, else
     * its cgroup's limit or the machine's).
     *
     * @throws IllegalArgumentException {@code bytes} is 0 or less
     */
    public InitOptions objectStoreMemory(long bytes) {
        this.objectStoreMemory = io.sonde.internal.cluster.ObjectStoreChecks.capacity("objectStoreMemory", bytes);
        return this;
    }

    /** The embedded node's object store memory in bytes; 0 when unset. */
    public long objectStoreMemory() {
        return objectStoreMemory;
    }

    /**
     * Where the embedded node's object store spills objects when it is full, as
     * {@code sonde start --head --object-spilling-directory}: a writable directory, or one to be
     * created under a writable directory. Unset, {@code <session>/spill} in the node's session
     * directory.
     *
     * @throws IllegalArgumentException {@code dir} is a file, is not writable or cannot be created
     */
    public InitOptions objectSpillingDirectory(java.nio.file.Path dir) {
        this.objectSpillingDirectory = io.sonde.internal.cluster.ObjectStoreChecks.spillDir("objectSpillingDirectory",
                dir);
        return this;
    }

    /** The embedded node's spill directory, absolute; empty when unset ({@code <session>/spill}). */
    public java.util.Optional<java.nio.file.Path> objectSpillingDirectory() {
        return java.util.Optional.ofNullable(objectSpillingDirectory);
    }

    /** A custom resource the embedded node offers, e.g. {@code resource("GPU", 1)}. */
    public InitOptions resource(String name, double amount) {
        if (name == null || name.isBlank() || amount < 0) {
            throw new IllegalArgumentException("a resource needs a name and an amount of 0 or more, got " + name + "=" + amount);
        }
        resources.put(name, amount);
        return this;
    }

    /** Whether worker prints are relayed to this driver (true by default). */
    public InitOptions logToDriver(boolean logToDriver) {
        this.logToDriver = logToDriver;
        return this;
    }

    /**
     * Whether a task that throws an exception it does not handle stays frozen at the throw site,
     * listed by {@code sonde debug} with the exception, instead of failing at once; {@code continue}
     * in the debugger then lets the failure reach the caller. Default: the environment variable
     * {@code SONDE_DEBUG_POST_MORTEM=1}, else off.
     */
    public InitOptions debugPostMortem(boolean postMortem) {
        return pluginOption(POST_MORTEM, Boolean.toString(postMortem));
    }

    /**
     * An option of this job for a plug-in of the cluster's node ({@code io.sonde.spi.NodePlugin}),
     * named {@code "plugin.option"}; plug-ins ignore the names they do not know.
     */
    public InitOptions pluginOption(String name, String value) {
        if (name == null || name.indexOf('.') <= 0 || value == null) {
            throw new IllegalArgumentException("a plug-in option is named plugin.option and has a value, got " + name
                    + "=" + value);
        }
        pluginOptions.put(name, value);
        return this;
    }

    /** Extra JVM options for this job's worker processes, e.g. {@code -Xmx2g}. */
    public InitOptions workerJvmOption(String option) {
        workerJvmOptions.add(Objects.requireNonNull(option, "option"));
        return this;
    }

    public String address() {
        return address;
    }

    /**
     * The job's namespace, as Ray's {@code ray.init(namespace=...)}: the actors it names are
     * unique in it and {@code Sonde.getActor(name)} looks there; drivers that share a namespace
     * find each other's named actors. Unset, the job gets an anonymous namespace of its own.
     */
    public InitOptions namespace(String namespace) {
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("a namespace must not be empty; leave it unset for an anonymous"
                    + " namespace of the job's own");
        }
        this.namespace = namespace;
        return this;
    }

    /** The namespace set, or empty: an anonymous one. */
    public java.util.Optional<String> namespace() {
        return java.util.Optional.ofNullable(namespace);
    }

    /** The CPUs asked for; empty if unset (all processors). */
    public java.util.OptionalInt numCpus() {
        return numCpus < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(numCpus);
    }

    public boolean logToDriver() {
        return logToDriver;
    }

    /** {@link #debugPostMortem(boolean)} if set, else whether {@code SONDE_DEBUG_POST_MORTEM} is 1 or true. */
    public boolean debugPostMortem() {
        String set = pluginOptions.get(POST_MORTEM);
        if (set != null) {
            return Boolean.parseBoolean(set);
        }
        String env = System.getenv("SONDE_DEBUG_POST_MORTEM");
        return env != null && (env.trim().equals("1") || env.trim().equalsIgnoreCase("true"));
    }

    /** The plug-in options of this job, with {@link #debugPostMortem()} among them. */
    public Map<String, String> pluginOptions() {
        Map<String, String> all = new LinkedHashMap<>(pluginOptions);
        all.put(POST_MORTEM, Boolean.toString(debugPostMortem()));
        return Map.copyOf(all);
    }

    public Map<String, Double> resources() {
        return Map.copyOf(resources);
    }

    public List<String> workerJvmOptions() {
        return List.copyOf(workerJvmOptions);
    }
}
