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

    /** Binds the scan scratch for {@code lanes × chunks} work-items of {@code kb} coupled values. */
    void bindCarries(int lanes, int chunks, int kb) {
        CellKernel k = kernel();
        float[] was = k.carH;
        carH = OpenClBackend.sized(carH, chunks * lanes * kb);
        k.carH = carH;
        device.scratch(was, carH);
        was = k.carP;
        carP = OpenClBackend.sized(carP, chunks * lanes * kb * kb);
        k.carP = carP;
        device.scratch(was, carP);
    }

    void bindY0(int n) {
        float[] was = kernel().y0;
        y0 = OpenClBackend.sized(y0, n);
        kernel().y0 = y0;
        device.scratch(was, y0);
    }

    void bindY1(int n) {
        float[] was = kernel().y1;
        y1 = OpenClBackend.sized(y1, n);
        kernel().y1 = y1;
        device.scratch(was, y1);
    }

    void bindJacobians(int n) {
        float[] was = kernel().a;
        a = OpenClBackend.sized(a, n);
        kernel().a = a;
        device.scratch(was, a);
    }

    void bindResiduals(int n) {
        float[] was = kernel().res;
        res = OpenClBackend.sized(res, n);
        kernel().res = res;
        device.scratch(was, res);
        was = kernel().fmax;
        fmax = OpenClBackend.sized(fmax, n);
        kernel().fmax = fmax;
        device.scratch(was, fmax);
    }

    void bindGradients(int gradUSize, int partsSize, int initSize) {
        CellKernel k = kernel();
        float[] was = k.gradU;
        gradU = OpenClBackend.sized(gradU, gradUSize);
        k.gradU = gradU;
        device.scratch(was, gradU);
        was = k.gpart;
        gpart = OpenClBackend.sized(gpart, partsSize);
        k.gpart = gpart;
        device.scratch(was, gpart);
        was = k.gradInit;
        gradInit = OpenClBackend.sized(gradInit, initSize);
        k.gradInit = gradInit;
        device.scratch(was, gradInit);
    }

    void dispose() {
        device.dispose();
    }
}
