package org.pararnn.backend.cuda;

import java.util.Locale;

/**
 * One shape's layout for the chunked scans (docs/design.md §7): blocks of {@code lanesPerBlock} lanes ×
 * {@code chunksPerBlock} time chunks of {@code chunk} steps, one per lane group and segment of time. Windowed
 * ({@code segments == 1}): a block walks its lanes' whole sequence window after window. Spread: the sequence
 * is cut into {@code segments} of {@code segmentSteps} steps, each one block; a first launch writes every
 * segment's summary pair, the {@code carries} plan scans those, and a last launch re-scans every segment
 * from the carry entering it.
 */
record ScanPlan(int lanesPerBlock, int chunksPerBlock, int chunk, long laneGroups, int segments, int segmentSteps,
                ScanPlan carries) {

    static ScanPlan windowed(int lanesPerBlock, int chunksPerBlock, int chunk, long laneGroups, int steps) {
        return new ScanPlan(lanesPerBlock, chunksPerBlock, chunk, laneGroups, 1, Math.max(1, steps), null);
    }

    boolean spread() {
        return segments > 1;
    }

    int threads() {
        return lanesPerBlock * chunksPerBlock;
    }

    int windowSteps() {
        return chunksPerBlock * chunk;
    }

    int[] grid() {
        return new int[] {Math.toIntExact(laneGroups), segments, 1};
    }

    int[] block() {
        return new int[] {lanesPerBlock, chunksPerBlock, 1};
    }

    /** Bytes of dynamic shared memory for k×k pairs: one pair per lane and warp group (pararnn_scan.h's laneCarryIn). */
    int pairBytes(int k) {
        int perWarp = lanesPerBlock >= 32 ? 1 : 32 / lanesPerBlock;
        int groups = (chunksPerBlock + perWarp - 1) / perWarp;
        return groups * lanesPerBlock * (k * k + k) * 4;
    }

    String describe() {
        String block = String.format(Locale.ROOT, "%d lanes x %d chunks of %d", lanesPerBlock, chunksPerBlock, chunk);
        if (!spread()) {
            return String.format(Locale.ROOT, "windows of %d steps (%s), %d block(s)", windowSteps(), block, laneGroups);
        }
        return String.format(Locale.ROOT, "time spread over %d segments of %d steps per lane group (%s), %d blocks", segments,
                segmentSteps, block, laneGroups * segments);
    }
}
