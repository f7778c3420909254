package org.pararnn.backend.opencl;

/**
 * A cell kernel with the host arrays its device buffers follow. Aparapi keeps one device buffer per
 * (kernel, array), so outputs and scratch live in arrays owned here and re-used while shapes repeat
 * (a training loop allocates nothing on the device after its first step); results are copied into the
 * caller's arrays on the host.
 */
final class CellDevice {
    final DeviceKernel<? extends CellKernel> device;
    float[] y0 = new float[1];
    float[] y1 = new float[1];
    float[] a = new float[1];
    float[] carH = new float[1];
    float[] carP = new float[1];
    float[] res = new float[1];
    float[] fmax = new float[1];
    float[] gradU = new float[1];
    float[] gpart = new float[1];
    float[] gradInit = new float[1];

    CellDevice(DeviceKernel<? extends CellKernel> device) {
        this.device = device;
    }

    CellKernel kernel() {
        return device.kernel();
    }

    private float[] own(float[] was, float[] owned, int n) {
        return device.owned(was, owned, n);
    }

    /** Binds the scan scratch for {@code lanes × chunks} work-items of {@code kb} coupled values. */
    void bindCarries(int lanes, int chunks, int kb) {
        CellKernel k = kernel();
        k.carH = carH = own(k.carH, carH, chunks * lanes * kb);
        k.carP = carP = own(k.carP, carP, chunks * lanes * kb * kb);
    }

    void bindY0(int n) {
        kernel().y0 = y0 = own(kernel().y0, y0, n);
    }

    void bindY1(int n) {
        kernel().y1 = y1 = own(kernel().y1, y1, n);
    }

    void bindJacobians(int n) {
        kernel().a = a = own(kernel().a, a, n);
    }

    void bindResiduals(int n) {
        CellKernel k = kernel();
        k.res = res = own(k.res, res, n);
        k.fmax = fmax = own(k.fmax, fmax, n);
    }

    void bindGradients(int gradUSize, int partsSize, int initSize) {
        CellKernel k = kernel();
        k.gradU = gradU = own(k.gradU, gradU, gradUSize);
        k.gpart = gpart = own(k.gpart, gpart, partsSize);
        k.gradInit = gradInit = own(k.gradInit, gradInit, initSize);
    }

    void dispose() {
        device.dispose();
    }
}
