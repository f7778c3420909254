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
            int lpb = geometry.lanesPerBlock(lanes);
            int chunks = geometry.threadsPerBlock() / lpb;
            long blocks = (lanes + lpb - 1) / lpb;
            KernelArgs args = new KernelArgs().pointer(a.buffer).pointer(b.buffer).pointer(initBuffer).pointer(out.buffer)
                    .integer(batch).integer(steps).integer(w).integer(p.from()).integer(p.to())
                    .integer(geometry.chunk()).integer(reverse ? 1 : 0);
            device.launch("pararnn_scan_k" + k, new int[] {Math.toIntExact(blocks), 1, 1}, new int[] {lpb, chunks, 1},
                    geometry.sharedBytes(k, lpb), args);
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
