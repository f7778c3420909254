package org.pararnn.backend.opencl;

/**
 * ParaGRU on the device: {@code z = σ(A_z h + u_z)}, {@code r = σ(A_r h + u_r)},
 * {@code n = tanh(A_h h r + u_h)}, {@code h' = z n + (1−z) h} per feature, diagonal Jacobian
 * ({@code k = 1}, one lane per batch element × feature). Same float operation order as the cell.
 */
final class ParaGruKernel extends CellKernel {

    float gateZ(float h, int p, int ui) {
        return sigmoid(w[p] * h + u[ui + p]);
    }

    float gateR(float h, int p, int ui) {
        return sigmoid(w[dw + p] * h + u[ui + dw + p]);
    }

    float candidate(float h, float r, int p, int ui) {
        return tanh(w[2 * dw + p] * h * r + u[ui + 2 * dw + p]);
    }

    /** {@code ∂h'/∂h}. */
    float jacobianAt(float h, float z, float r, float n, int p) {
        float dn = (1f - n * n) * w[2 * dw + p] * (r + h * r * (1f - r) * w[dw + p]);
        return z * (1f - z) * w[p] * (n - h) + z * dn + (1f - z);
    }

    float initial(int b, int p) {
        return hasH0 == 1 ? h0[b * dw + p] : 0f;
    }

    /** The forward state before step t (from {@code y0}, which holds the states in the adjoint). */
    float statesBefore(int b, int t, int p) {
        return t == 0 ? initial(b, p) : y0[(b * steps + t - 1) * dw + p];
    }

    /**
     * One lane per work-item through all steps. The barrier after each step is for CPU devices: PoCL
     * turns the code between barriers into a loop over the group's work-items, which makes that loop the
     * innermost one, so the step vectorises across lanes (without it the time loop is innermost and every
     * exp runs scalar). Work-items past the last lane step along on lane 0's data without writing, so
     * every work-item reaches every barrier.
     */
    @Override
    void sequential() {
        int gid = getGlobalId();
        int lane = gid < lanes ? gid : 0;
        int b = lane / dw;
        int p = lane % dw;
        float h = initial(b, p);
        for (int t = 0; t < steps; t++) {
            int ui = (b * steps + t) * 3 * dw;
            float z = gateZ(h, p, ui);
            float r = gateR(h, p, ui);
            float n = candidate(h, r, p, ui);
            h = z * n + (1f - z) * h;
            if (gid < lanes) {
                ySet((b * steps + t) * dw + p, h);
            }
            localBarrier();
        }
    }

    @Override
    void newton() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            int b = lane / dw;
            int p = lane % dw;
            int s = chunkStart(c);
            int e = chunkStart(c + 1);
            float xp = initial(b, p);
            if (s > 0) {
                xp = zeroGuess == 1 ? 0f : oldGet((b * steps + s - 1) * dw + p);
            }
            // Chunk 0 starts from the exact initial state, the others from a zero carry.
            float h = c == 0 ? xp : 0f;
            float pr = 1f;
            float rm = 0f;
            float fm = 0f;
            for (int t = s; t < e; t++) {
                int ui = (b * steps + t) * 3 * dw;
                int si = (b * steps + t) * dw + p;
                float z = gateZ(xp, p, ui);
                float r = gateR(xp, p, ui);
                float n = candidate(xp, r, p, ui);
                float f = z * n + (1f - z) * xp;
                float jv = jacobianAt(xp, z, r, n, p);
                float xt = zeroGuess == 1 ? 0f : oldGet(si);
                rm = maxKeepNaN(rm, abs(xt - f));
                fm = maxKeepNaN(fm, abs(f));
                h = jv * h + (f - jv * xp);
                pr = jv * pr;
                a[si] = jv;
                ySet(si, h);
                xp = xt;
            }
            int o = c * lanes + lane;
            carH[o] = h;
            carP[o] = pr;
            res[gid] = rm;
            fmax[gid] = fm;
        }
    }

    @Override
    void jacobian() {
        int gid = getGlobalId();
        if (gid < batch * steps * dw) {
            int p = gid % dw;
            int t = (gid / dw) % steps;
            int b = gid / (dw * steps);
            float hp = statesBefore(b, t, p);
            int ui = (b * steps + t) * 3 * dw;
            float z = gateZ(hp, p, ui);
            float r = gateR(hp, p, ui);
            float n = candidate(hp, r, p, ui);
            a[gid] = jacobianAt(hp, z, r, n, p);
        }
    }

    /** With the adjoint {@code λ} in {@code y1}: {@code ∂L/∂u}, weight partial sums, {@code ∂L/∂h0 = J_0 λ_0}. */
    @Override
    void gradients() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            int b = lane / dw;
            int p = lane % dw;
            int s = chunkStart(c);
            int e = chunkStart(c + 1);
            float sz = 0f;
            float sr = 0f;
            float sn = 0f;
            for (int t = s; t < e; t++) {
                float hp = statesBefore(b, t, p);
                int ui = (b * steps + t) * 3 * dw;
                int si = (b * steps + t) * dw + p;
                float z = gateZ(hp, p, ui);
                float r = gateR(hp, p, ui);
                float n = candidate(hp, r, p, ui);
                float l = y1[si];
                float gz = l * (n - hp) * z * (1f - z);
                float gn = l * z * (1f - n * n);
                float gr = gn * w[2 * dw + p] * hp * r * (1f - r);
                gradU[ui + p] = gz;
                gradU[ui + dw + p] = gr;
                gradU[ui + 2 * dw + p] = gn;
                sz += gz * hp;
                sr += gr * hp;
                sn += gn * hp * r;
                if (t == 0) {
                    gradInit[b * dw + p] = a[si] * l;
                }
            }
            gpart[3 * gid] = sz;
            gpart[3 * gid + 1] = sr;
            gpart[3 * gid + 2] = sn;
        }
    }
}
