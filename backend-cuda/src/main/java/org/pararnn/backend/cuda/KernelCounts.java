package org.pararnn.backend.cuda;

import java.util.Locale;

/**
 * What kernels did as the emulator counts it (docs/design.md §7), so that a kernel's depth and traffic can
 * be judged without a GPU: launches; dependent phases on the critical path (per launch, the most barriers,
 * warp collectives and marked dependent steps any thread went through, plus one for the launch; launches
 * on one stream add up); the distinct 32-byte sectors of global memory read and written (per launch, in
 * bytes, added over launches); and the most blocks one launch had.
 */
public record KernelCounts(long launches, long phases, long bytesRead, long bytesWritten, long mostBlocks) {
    public static final KernelCounts ZERO = new KernelCounts(0, 0, 0, 0, 0);

    /** These counts followed by one more launch's. */
    KernelCounts plusLaunch(long launchPhases, long read, long written, long blocks) {
        return new KernelCounts(launches + 1, phases + launchPhases, bytesRead + read, bytesWritten + written,
                Math.max(mostBlocks, blocks));
    }

    /** What happened since {@code before} (the most blocks: of the whole run, which includes the later launches). */
    public KernelCounts since(KernelCounts before) {
        return new KernelCounts(launches - before.launches, phases - before.phases, bytesRead - before.bytesRead,
                bytesWritten - before.bytesWritten, mostBlocks);
    }

    public long bytes() {
        return bytesRead + bytesWritten;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d launches, %d dependent phases, %,d B read, %,d B written, up to %d blocks",
                launches, phases, bytesRead, bytesWritten, mostBlocks);
    }
}
