/**
 * What Sonde's own tools use of the runtime beyond the user API: the {@code sonde} CLI, the shell
 * ({@code sonde shell}, {@code sonde run}) and the debugger. A small, named door into the
 * runtime, so that no tool reaches into {@code io.sonde.internal}; an architecture test holds
 * every module outside the runtime to it.
 *
 * <p>Not for users: there is no stability promise here, and the classes change with the tools
 * that use them. Programs use {@link io.sonde.Sonde}; plug-ins use {@link io.sonde.spi}.
 *
 * <ul>
 *   <li>{@link io.sonde.tooling.SessionDirs}: where clusters of this machine keep their session
 *       directories, and which of them run now.</li>
 *   <li>{@link io.sonde.tooling.HostedNode}: the node this process runs, embedded by
 *       {@code Sonde.init()} or started by {@code sonde start --head}, with its plug-ins.</li>
 *   <li>{@link io.sonde.tooling.NodeChannels}: a gRPC channel to a node, for the calls of
 *       {@code sonde.proto} and of the plug-ins' own services.</li>
 *   <li>{@link io.sonde.tooling.DriverClient}: the hooks of this driver's client that the shell
 *       sets (class source, captured statics, submissions, relayed output).</li>
 *   <li>{@link io.sonde.tooling.StaticValues} and {@link io.sonde.tooling.RemoteExceptions}: the
 *       values the shell ships for its variables, and the stand-ins of remote exceptions.</li>
 *   <li>{@link io.sonde.tooling.ObjectStoreOptions}: the checks of the object store's flags, made
 *       before a node starts.</li>
 * </ul>
 * Each class only delegates to the internals; the internals never depend on this package.
 */
package io.sonde.tooling;
