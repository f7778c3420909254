// The fused ParaGRU and ParaLSTM kernels that walk time sequentially: one thread per (batch row, feature),
// adjacent threads on adjacent features so every load and store coalesces. The honest baseline for
// Newton in time, and AUTO's choice where batch × features alone fill the device. Cell equations as in
// docs/design.md §2, in the cells' own float operation order.
//
// Layouts: u [B][T][3D] (gate rows z, r, h for the GRU; f, o, c for the LSTM), A [3][D], C [2][D],
// states [B][T][S] with S = D (GRU) or 2D (LSTM: c first, then h), init [B][S] or null (zeros).
// Backward writes ∂L/∂u, ∂L/∂h0 (when asked) and per-lane partial sums of the recurrent parameters'
// gradients [B·D][3] (GRU) or [B·D][5] (LSTM: A rows then C rows), which the host adds in a fixed order.
#include "pararnn_cuda.h"

namespace pararnn {

__device__ __forceinline__ float sigmoid(float x) {
    return 1.f / (1.f + expf(-x));
}

}  // namespace pararnn

extern "C" __global__ void pararnn_gru_sequential(const float* a, const float* u, const float* init, float* states,
                                                  int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const float az = a[d];
    const float ar = a[dw + d];
    const float ah = a[2 * dw + d];
    float h = init != nullptr ? init[(long long) b * dw + d] : 0.f;
    for (int t = 0; t < steps; t++) {
        const long long row = (long long) b * steps + t;
        const float* ur = u + row * 3 * dw;
        float z = pararnn::sigmoid(az * h + ur[d]);
        float rg = pararnn::sigmoid(ar * h + ur[dw + d]);
        float n = tanhf(ah * h * rg + ur[2 * dw + d]);
        h = z * n + (1.f - z) * h;
        states[row * dw + d] = h;
    }
}

extern "C" __global__ void pararnn_gru_adjoint_sequential(const float* a, const float* u, const float* init,
                                                          const float* states, const float* gradStates, float* gradU,
                                                          float* gradParts, float* gradInit, int batch, int steps,
                                                          int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const float az = a[d];
    const float ar = a[dw + d];
    const float ah = a[2 * dw + d];
    float carry = 0.f;
    float gaz = 0.f;
    float gar = 0.f;
    float gah = 0.f;
    for (int t = steps - 1; t >= 0; t--) {
        const long long row = (long long) b * steps + t;
        const float h = t > 0 ? states[(row - 1) * dw + d] : (init != nullptr ? init[(long long) b * dw + d] : 0.f);
        const float* ur = u + row * 3 * dw;
        float z = pararnn::sigmoid(az * h + ur[d]);
        float rg = pararnn::sigmoid(ar * h + ur[dw + d]);
        float n = tanhf(ah * h * rg + ur[2 * dw + d]);
        float l = gradStates[row * dw + d] + carry;
        float gz = l * (n - h) * z * (1.f - z);
        float gn = l * z * (1.f - n * n);
        float gr = gn * ah * h * rg * (1.f - rg);
        float* gu = gradU + row * 3 * dw;
        gu[d] = gz;
        gu[dw + d] = gr;
        gu[2 * dw + d] = gn;
        gaz += gz * h;
        gar += gr * h;
        gah += gn * h * rg;
        float dn = (1.f - n * n) * ah * (rg + h * rg * (1.f - rg) * ar);
        float jac = z * (1.f - z) * az * (n - h) + z * dn + (1.f - z);
        carry = jac * l;
    }
    gradParts[lane * 3] = gaz;
    gradParts[lane * 3 + 1] = gar;
    gradParts[lane * 3 + 2] = gah;
    if (gradInit != nullptr) {
        gradInit[(long long) b * dw + d] = carry;
    }
}

extern "C" __global__ void pararnn_lstm_sequential(const float* a, const float* c, const float* u, const float* init,
                                                   float* states, int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const int s = 2 * dw;
    const float af = a[d];
    const float ao = a[dw + d];
    const float ac = a[2 * dw + d];
    const float cf = c[d];
    const float co = c[dw + d];
    float cPrev = init != nullptr ? init[(long long) b * s + d] : 0.f;
    float h = init != nullptr ? init[(long long) b * s + dw + d] : 0.f;
    for (int t = 0; t < steps; t++) {
        const long long row = (long long) b * steps + t;
        const float* ur = u + row * 3 * dw;
        float fg = pararnn::sigmoid(af * h + ur[d] + cf * cPrev);
        float ct = tanhf(ac * h + ur[2 * dw + d]);
        float cn = fg * cPrev + (1.f - fg) * ct;
        float o = pararnn::sigmoid(ao * h + ur[dw + d] + co * cn);
        h = o * tanhf(cn);
        cPrev = cn;
        states[row * s + d] = cn;
        states[row * s + dw + d] = h;
    }
}

extern "C" __global__ void pararnn_lstm_adjoint_sequential(const float* a, const float* c, const float* u,
                                                           const float* init, const float* states,
                                                           const float* gradStates, float* gradU, float* gradParts,
                                                           float* gradInit, int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const int s = 2 * dw;
    const float af = a[d];
    const float ao = a[dw + d];
    const float ac = a[2 * dw + d];
    const float cf = c[d];
    const float co = c[dw + d];
    float carryC = 0.f;
    float carryH = 0.f;
    float gaf = 0.f, gao = 0.f, gac = 0.f, gcf = 0.f, gco = 0.f;
    for (int t = steps - 1; t >= 0; t--) {
        const long long row = (long long) b * steps + t;
        float cPrev;
        float h;
        if (t > 0) {
            cPrev = states[(row - 1) * s + d];
            h = states[(row - 1) * s + dw + d];
        } else {
            cPrev = init != nullptr ? init[(long long) b * s + d] : 0.f;
            h = init != nullptr ? init[(long long) b * s + dw + d] : 0.f;
        }
        const float* ur = u + row * 3 * dw;
        float fg = pararnn::sigmoid(af * h + ur[d] + cf * cPrev);
        float ct = tanhf(ac * h + ur[2 * dw + d]);
        float cn = fg * cPrev + (1.f - fg) * ct;
        float o = pararnn::sigmoid(ao * h + ur[dw + d] + co * cn);
        float tc = tanhf(cn);
        float lc = gradStates[row * s + d] + carryC;
        float lh = gradStates[row * s + dw + d] + carryH;
        float go = lh * tc * o * (1.f - o);
        float gcn = lc + lh * o * (1.f - tc * tc) + go * co;
        float gf = gcn * (cPrev - ct) * fg * (1.f - fg);
        float gct = gcn * (1.f - fg) * (1.f - ct * ct);
        float* gu = gradU + row * 3 * dw;
        gu[d] = gf;
        gu[dw + d] = go;
        gu[2 * dw + d] = gct;
        gaf += gf * h;
        gao += go * h;
        gac += gct * h;
        gcf += gf * cPrev;
        gco += go * cn;
        // Jᵀλ with J = [[dcc, dch], [dhc, dhh]] (rows c', h'; columns c, h).
        float fp = fg * (1.f - fg);
        float op = o * (1.f - o);
        float dcc = fg + (cPrev - ct) * fp * cf;
        float dch = (cPrev - ct) * fp * af + (1.f - fg) * (1.f - ct * ct) * ac;
        float through = o * (1.f - tc * tc);
        float dhc = dcc * (op * co * tc + through);
        float dhh = op * (ao + co * dch) * tc + through * dch;
        carryC = dcc * lc + dhc * lh;
        carryH = dch * lc + dhh * lh;
    }
    float* parts = gradParts + lane * 5;
    parts[0] = gaf;
    parts[1] = gao;
    parts[2] = gac;
    parts[3] = gcf;
    parts[4] = gco;
    if (gradInit != nullptr) {
        gradInit[(long long) b * s + d] = carryC;
        gradInit[(long long) b * s + dw + d] = carryH;
    }
}
