/**
 * Sonde's plug-in SPI: how the debugger (and the profiler) hook into the runtime without the
 * runtime knowing them. A plug-in has up to three parts, each found with
 * {@link java.util.ServiceLoader} in the process it serves, and its parts talk to each other in
 * {@code PluginMessage}s that Sonde carries without reading them:
 * <pre>
 *   driver JVM            node manager (in the driver, or `sonde start`)          worker JVM
 *   ClientPlugin ◀─msg──▶ NodePlugin ◀───────────────────msg──────────────────▶ WorkerPlugin
 *       │ plugin_data on TaskSpec ───────────────────────────────────────────────▶ │
 *       │ ◀─────────────────────────────────────────── plugin_data on the result ── │
 * </pre>
 * A worker's own core client (for nested tasks) has its {@link io.sonde.spi.ClientPlugin}s too.
 *
 * <h2>Rules for every hook</h2>
 * <ul>
 *   <li>A hook that throws is logged on the process's stderr and skipped: a plug-in never breaks
 *       the node, a worker or a client. The one exception that goes through is
 *       {@link io.sonde.TaskCancelledException} on a task's thread: it is the task's cancel.</li>
 *   <li>Each hook's javadoc says on which thread it runs. The node calls some hooks while it holds
 *       its lock (they say so): those must not block, and send only through the context, whose
 *       sends go to the connection's own queue. The others never run under the node's lock.</li>
 *   <li>A plug-in's name ({@code name()}) is the same in its three parts: messages and plug-in
 *       data are addressed by it.</li>
 * </ul>
 */
package io.sonde.spi;
