package org.pararnn.backend.cuda;

import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ScanProblem;

/**
 * The linear scans of every structure on a {@link CudaDevice} (kernels in {@code scan.cu}): the diagonal
 * and 2×2 and 3×3 block-diagonal structures by the chunked kernels, every other (wider blocks, dense) by
 * the generic one. Only the window's rows go to the device and come back; each call runs on a lane of
 * the backend's (a stream and device buffers of its own, which grow and are reused from call to call).
 */
final class CudaScan implements LinearScan {
    private final CudaBackend backend;
    private final ScanGeometry geometry;

    CudaScan(CudaBackend backend, ScanGeometry geometry) {
        this.backend = backend;
        this.geometry = geometry;
    }

    @Override
    public boolean supports(JacobianStructure structure) {
        return true;
    }

    @Override
    public void forward(ScanProblem p) {
        backend.onLane(lane -> run(lane, p, false));
    }

    @Override
    public void reverse(ScanProblem p) {
        p.checkReverseCarry();
        backend.onLane(lane -> run(lane, p, true));
    }

    /** Blocks per lane's state: 1 for diagonal, k for k blocks, the width for dense (one lane of width² coefficients). */
    static int blockSize(JacobianStructure s, int width) {
        if (s instanceof JacobianStructure.Diagonal) {
            return 1;
        }
        if (s instanceof JacobianStructure.BlockDiagonal bd) {
            return bd.blocks();
        }
        return width;
    }

    private void run(CudaBackend.Lane lane, ScanProblem p, boolean reverse) {
        CudaDevice.Stream device = lane.stream;
        DeviceArray a = lane.a;
        DeviceArray b = lane.b;
        DeviceArray init = lane.init;
        DeviceArray out = lane.out;
        int w = p.width();
        int steps = p.steps();
        int batch = p.batch();
        int k = blockSize(p.structure(), w);
        int cps = p.coefficientsPerStep();
        long elements = (long) batch * steps;
        a.ensure(device, elements * cps);
        b.ensure(device, elements * w);
        out.ensure(device, elements * w);
        // The rows the kernels read: b and out over the window, A over the window (forward) or one step later (reverse).
        int aFrom = reverse ? p.from() + 1 : p.from();
        int aTo = reverse ? Math.min(p.to() + 1, steps) : p.to();
        for (int bi = 0; bi < batch; bi++) {
            long row = (long) bi * steps;
            if (aTo > aFrom) {
                upload(device, p.a(), (row + aFrom) * cps, (long) (aTo - aFrom) * cps, a);
            }
            upload(device, p.b(), (row + p.from()) * w, (long) (p.to() - p.from()) * w, b);
        }
        CudaDevice.Buffer initBuffer = null;
        if (p.init() != null) {
            init.ensure(device, (long) batch * w);
            upload(device, p.init(), 0, (long) batch * w, init);
            initBuffer = init.buffer;
        }
        long lanes = (long) batch * (w / k);
        if (k <= 3) {
            ScanPlan plan = geometry.plan(lanes, p.to() - p.from(), geometry.chunk());
            launchChunked(lane, plan, k, a.buffer, b.buffer, initBuffer, out.buffer, batch, steps, w, p.from(), p.to(), reverse);
        } else {
            int threads = 128;
            long blocks = (lanes + threads - 1) / threads;
            KernelArgs args = new KernelArgs().pointer(a.buffer).pointer(b.buffer).pointer(initBuffer).pointer(out.buffer)
                    .integer(batch).integer(steps).integer(w).integer(k).integer(p.from()).integer(p.to())
                    .integer(reverse ? 1 : 0);
            device.launch("pararnn_scan_generic", new int[] {Math.toIntExact(blocks), 1, 1}, new int[] {threads, 1, 1}, 0, args);
        }
        for (int bi = 0; bi < batch; bi++) {
            long off = ((long) bi * steps + p.from()) * w;
            int n = (p.to() - p.from()) * w;
            device.download(out.buffer, off, p.out(), Math.toIntExact(off), n);
        }
        device.sync();
    }

    /**
     * Queues the chunked scan of {@code [from, to)} by {@code plan}: windowed, one launch; spread, the segments'
     * summaries, their scan (the carries entering each segment) and the segments' re-scan from those.
     */
    static void launchChunked(CudaBackend.Lane lane, ScanPlan plan, int k, CudaDevice.Buffer a, CudaDevice.Buffer b,
                              CudaDevice.Buffer init, CudaDevice.Buffer out, int batch, int steps, int width, int from, int to,
                              boolean reverse) {
        CudaDevice.Stream device = lane.stream;
        CudaDevice.Buffer carries = null;
        if (plan.spread()) {
            long rows = (long) batch * plan.segments();
            CudaDevice.Buffer sumA = lane.buffer("scan summaries A", rows * k * width);
            CudaDevice.Buffer sumB = lane.buffer("scan summaries b", rows * width);
            carries = lane.buffer("scan carries", rows * width);
            device.launch("pararnn_scan_reduce_k" + k, plan.grid(), plan.block(), plan.pairBytes(k),
                    new KernelArgs().pointer(a).pointer(b).pointer(sumA).pointer(sumB).integer(batch).integer(steps).integer(width)
                            .integer(from).integer(to).integer(plan.chunk()).integer(reverse ? 1 : 0).integer(plan.segmentSteps()));
            scanSummaries(device, plan, k, sumA, sumB, init, carries, batch, width);
        }
        device.launch("pararnn_scan_k" + k, plan.grid(), plan.block(), plan.pairBytes(k),
                new KernelArgs().pointer(a).pointer(b).pointer(init).pointer(carries).pointer(out).integer(batch).integer(steps)
                        .integer(width).integer(from).integer(to).integer(plan.chunk()).integer(reverse ? 1 : 0)
                        .integer(plan.segmentSteps()));
    }

    /**
     * Queues the scan of a spread plan's segment summaries ({@code sumA}, {@code sumB}: one K×K step per segment,
     * forward convention) from {@code init} into {@code carries}, the state at the end of every segment.
     */
    static void scanSummaries(CudaDevice.Stream device, ScanPlan plan, int k, CudaDevice.Buffer sumA, CudaDevice.Buffer sumB,
                              CudaDevice.Buffer init, CudaDevice.Buffer carries, int batch, int width) {
        ScanPlan c = plan.carries();
        device.launch("pararnn_scan_k" + k, c.grid(), c.block(), c.pairBytes(k),
                new KernelArgs().pointer(sumA).pointer(sumB).pointer(init).pointer(null).pointer(carries).integer(batch)
                        .integer(plan.segments()).integer(width).integer(0).integer(plan.segments()).integer(c.chunk())
                        .integer(0).integer(c.segmentSteps()));
    }

    private static void upload(CudaDevice.Stream device, float[] src, long off, long n, DeviceArray dst) {
        device.upload(src, Math.toIntExact(off), Math.toIntExact(n), dst.buffer, off);
    }

    /** A device buffer that grows on demand and is kept for the next call. */
    static final class DeviceArray {
        CudaDevice.Buffer buffer;

        void ensure(CudaDevice.Stream device, long n) {
            if (buffer != null && n <= buffer.floats()) {
                return;
            }
            free(device);
            buffer = device.alloc(n);
        }

        void free(CudaDevice.Stream device) {
            if (buffer != null) {
                device.free(buffer);
                buffer = null;
            }
        }
    }
}
