package io.sonde.spi;

/**
 * One worker's memory in one sample of the node's memory monitor, as
 * {@link NodePlugin#workerMemory} gets it.
 *
 * @param worker   the worker
 * @param work     what it runs, as the monitor's reports name it: {@code task NAME},
 *                 {@code actor CLASS 'NAME'}; empty when it is idle
 * @param atMillis when the sample was taken (wall clock, ms)
 * @param rss      its resident memory ({@code RES}), in bytes
 * @param owned    {@code RES − SHR}: what only this process holds, in bytes
 */
public record WorkerMemory(WorkerRef worker, String work, long atMillis, long rss, long owned) {
}
