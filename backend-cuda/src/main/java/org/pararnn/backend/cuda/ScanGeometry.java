package org.pararnn.backend.cuda;

/**
 * How the chunked scans and the kernels built on them are laid out on a device, and the rule that picks a
 * {@link ScanPlan} for a shape (docs/design.md §7). Many lanes (batch row × feature): blocks of
 * {@code threadsPerBlock} threads, each walking its lanes' whole sequence window after window (the lanes
 * alone fill the device; every value is read once). Few lanes: time itself is spread over blocks of
 * {@code wideThreads} threads, one segment of the sequence each, so that the device fills
 * ({@code fillBlocks} blocks) and the dependent phases stay a handful of launches instead of one per window.
 *
 * @param threadsPerBlock threads of a windowed block: a multiple of 32 up to 1024
 * @param chunk           the most steps a thread reduces in registers per window
 * @param wideThreads     threads of a block when time is spread over blocks: a multiple of 32 up to 1024
 * @param fillBlocks      lane groups (blocks of the windowed layout) below which time is spread; 0: never
 */
record ScanGeometry(int threadsPerBlock, int chunk, int wideThreads, int fillBlocks) {
    /** A grid's y dimension, which numbers the segments: at most 65,535 (a CUDA limit). */
    static final int MAX_SEGMENTS = 65_535;

    ScanGeometry {
        for (int t : new int[] {threadsPerBlock, wideThreads}) {
            if (t < 32 || t > 1024 || t % 32 != 0) {
                throw new IllegalArgumentException("threads per block must be a multiple of 32 in [32, 1024], got " + t);
            }
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("steps per chunk must be >= 1, got " + chunk);
        }
        if (fillBlocks < 0) {
            throw new IllegalArgumentException("fillBlocks must be >= 0, got " + fillBlocks);
        }
    }

    /** A windowed layout only (tests of one block shape). */
    ScanGeometry(int threadsPerBlock, int chunk) {
        this(threadsPerBlock, chunk, threadsPerBlock, 0);
    }

    /**
     * On a GPU: windowed blocks of 256 threads, 4 steps each in registers, as the reference kernels do; time
     * spread over blocks of 1024 threads while the lanes fill fewer than 264 blocks (two per multiprocessor of
     * a 132-SM H100/H200: below that, SMs sit idle in a windowed walk).
     */
    static final ScanGeometry GPU = new ScanGeometry(256, 4, 1024, 264);
    /**
     * On the emulator: fewer, longer chunks, so that fewer fibre switches do the same work; time spread below 4
     * lane groups, so that the emulated backend's every test of few lanes goes through the spread kernels too.
     */
    static final ScanGeometry EMULATED = new ScanGeometry(64, 32, 64, 4);

    /** The windowed layout for every shape (what every shape had before layouts were chosen by shape). */
    ScanGeometry windowedOnly() {
        return new ScanGeometry(threadsPerBlock, chunk, wideThreads, 0);
    }

    /** Lanes per block for {@code lanes} lanes: a power of two up to 32, and no more than there are lanes. */
    int lanesPerBlock(long lanes) {
        int l = 1;
        while (l < 32 && 2L * l <= lanes && 2 * l <= threadsPerBlock) {
            l *= 2;
        }
        return l;
    }

    /** The plan for a scan of {@code steps} steps over {@code lanes} lanes with chunks of at most {@code maxChunk}. */
    ScanPlan plan(long lanes, int steps, int maxChunk) {
        int l = lanesPerBlock(lanes);
        long groups = (lanes + l - 1) / l;
        int c = Math.min(chunk, maxChunk);
        ScanPlan windowed = ScanPlan.windowed(l, threadsPerBlock / l, c, groups, steps);
        if (fillBlocks == 0 || groups >= fillBlocks || steps <= 1) {
            return windowed;
        }
        int ys = wideThreads / l;
        // Segments per lane group that would fill the device, and the chunk that gives each thread its share.
        long wanted = (fillBlocks + groups - 1) / groups;
        long share = (steps + wanted - 1) / wanted;
        int wc = (int) Math.max(1, Math.min(c, (share + ys - 1) / ys));
        long window = (long) ys * wc;
        // One window per segment keeps the depth lowest; several only where the grid would have too many rows.
        long segments = (steps + window - 1) / window;
        long windowsPerSegment = (segments + MAX_SEGMENTS - 1) / MAX_SEGMENTS;
        long segmentSteps = window * windowsPerSegment;
        segments = (steps + segmentSteps - 1) / segmentSteps;
        if (segments <= 1) {
            return windowed;
        }
        // The summaries' own scan: one windowed block per lane group over the segments.
        int cc = (int) Math.max(1, Math.min(chunk, (segments + ys - 1) / ys));
        ScanPlan carries = ScanPlan.windowed(l, ys, cc, groups, (int) segments);
        return new ScanPlan(l, ys, wc, groups, (int) segments, (int) segmentSteps, carries);
    }
}
