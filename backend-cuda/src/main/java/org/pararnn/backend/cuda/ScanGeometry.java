package org.pararnn.backend.cuda;

/**
 * How a scan is laid out on the device: lanes (batch row × feature) per block, time chunks per block and
 * steps per chunk (docs/design.md §7). The threads of a block are {@code lanesPerBlock × chunksPerBlock};
 * a window of {@code chunksPerBlock · chunk} steps is solved per pass, and windows follow each other.
 *
 * @param threadsPerBlock threads of a block: a multiple of 32 up to 1024
 * @param chunk           steps each thread reduces in registers per window
 */
record ScanGeometry(int threadsPerBlock, int chunk) {
    ScanGeometry {
        if (threadsPerBlock < 32 || threadsPerBlock > 1024 || threadsPerBlock % 32 != 0) {
            throw new IllegalArgumentException("threads per block must be a multiple of 32 in [32, 1024], got " + threadsPerBlock);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("steps per chunk must be >= 1, got " + chunk);
        }
    }

    /** On a GPU: a block of 256 threads, 4 steps each in registers, as the reference kernels do. */
    static final ScanGeometry GPU = new ScanGeometry(256, 4);
    /** On the emulator: fewer, longer chunks, so that fewer fibre switches do the same work. */
    static final ScanGeometry EMULATED = new ScanGeometry(64, 32);

    /** The windowed layout for every shape (what every shape had before layouts were chosen by shape). */
    ScanGeometry windowedOnly() {
        return this;
    }

    /** Lanes per block for {@code lanes} lanes: a power of two up to 32, and no more than there are lanes. */
    int lanesPerBlock(long lanes) {
        int l = 1;
        while (l < 32 && 2L * l <= lanes && 2 * l <= threadsPerBlock) {
            l *= 2;
        }
        return l;
    }

    /** Bytes of dynamic shared memory the chunked kernel for k×k blocks needs: one pair per lane and warp group. */
    int sharedBytes(int k, int lanesPerBlock) {
        int chunks = threadsPerBlock / lanesPerBlock;
        int perWarp = lanesPerBlock >= 32 ? 1 : 32 / lanesPerBlock;
        int groups = (chunks + perWarp - 1) / perWarp;
        return groups * lanesPerBlock * (k * k + k) * 4;
    }
}
