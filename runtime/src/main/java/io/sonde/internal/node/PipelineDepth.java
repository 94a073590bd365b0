package io.sonde.internal.node;

/**
 * How many normal tasks a leased worker has at once: the one it runs and those queued behind it
 * (Ray's {@code max_tasks_in_flight_per_worker}). With more than one, the worker starts its next
 * task the moment the last one returns, without waiting for the node to send it, which is what
 * keeps a worker busy with small tasks; a task that blocks gives back those behind it, so depth
 * never makes one task wait on another. Set with {@value #ENV} (or {@code -D}{@value #PROPERTY}); 1
 * sends each task only when its worker is free.
 */
record PipelineDepth(int tasks) {
    static final String ENV = "SONDE_MAX_TASKS_IN_FLIGHT_PER_WORKER";
    static final String PROPERTY = "sonde.maxTasksInFlightPerWorker";
    static final int DEFAULT = 10;
    /** Past this, a queue only holds tasks another worker could run. */
    static final int MAX = 1000;

    PipelineDepth {
        if (tasks < 1 || tasks > MAX) {
            throw new IllegalArgumentException(ENV + " (or -D" + PROPERTY + ") must be a whole number from 1 to " + MAX
                    + ", the tasks a worker may have at once, the one it runs included; got " + tasks
                    + " (the default is " + DEFAULT + ")");
        }
    }

    /** From the environment, or the default. */
    static PipelineDepth fromEnvironment() {
        return parse(System.getProperty(PROPERTY, System.getenv(ENV)));
    }

    /**
     * @throws IllegalArgumentException the setting is not a whole number from 1 to {@link #MAX}
     */
    static PipelineDepth parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return new PipelineDepth(DEFAULT);
        }
        int n;
        try {
            n = Integer.parseInt(setting.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV + " (or -D" + PROPERTY + ") must be a whole number from 1 to " + MAX
                    + ", the tasks a worker may have at once, the one it runs included; got \"" + setting
                    + "\" (the default is " + DEFAULT + ")");
        }
        return new PipelineDepth(n);
    }
}
