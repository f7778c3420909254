package org.pararnn.api.spi;

/**
 * What a backend's kernels did, where the backend can count it rather than time it (the CUDA emulator counts
 * every launch it runs): launches; dependent phases on the critical path (per launch the deepest thread's
 * barriers, warp-collective rounds and dependent steps, plus one; launches add up); distinct global bytes
 * read and written; the most blocks one launch had. Reports put it beside measured times as the depth and
 * traffic a device would see (docs/design.md §7).
 */
public record KernelTally(long launches, long phases, long bytesRead, long bytesWritten, long mostBlocks) {
    public static final KernelTally ZERO = new KernelTally(0, 0, 0, 0, 0);

    /** These kernels followed by {@code later} on the same stream: everything adds up but the most blocks, the larger. */
    public KernelTally plus(KernelTally later) {
        return new KernelTally(launches + later.launches, phases + later.phases, bytesRead + later.bytesRead,
                bytesWritten + later.bytesWritten, Math.max(mostBlocks, later.mostBlocks));
    }

    /** What happened since {@code before} (the most blocks: of the whole run). */
    public KernelTally since(KernelTally before) {
        return new KernelTally(launches - before.launches, phases - before.phases, bytesRead - before.bytesRead,
                bytesWritten - before.bytesWritten, mostBlocks);
    }

    public long bytes() {
        return bytesRead + bytesWritten;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d launches, %d dependent phases, %,d B read, %,d B written, up to %d blocks",
                launches, phases, bytesRead, bytesWritten, mostBlocks);
    }
}
