// The emulator's entry points for the JVM (called through the Foreign Function API): the same shape as
// the CUDA driver API's cuLaunchKernel, so the Java host code builds one kernel-parameter array for both.
#include "cuda_emu.h"
#include "cuda_emu_launch.h"

#include <cstring>
#include <string>
#include <tuple>
#include <utility>

#include "pararnn_ops.h"

extern "C" {
#define PARARNN_SCAN_DECL(k)                                                                                        \
    void pararnn_scan_k##k(const float*, const float*, const float*, const float*, float*, int, int, int, int, int, int, \
                           int, int);                                                                                \
    void pararnn_scan_reduce_k##k(const float*, const float*, float*, float*, int, int, int, int, int, int, int, int);
PARARNN_SCAN_DECL(1)
PARARNN_SCAN_DECL(2)
PARARNN_SCAN_DECL(3)
void pararnn_scan_generic(const float*, const float*, const float*, float*, int, int, int, int, int, int, int);
void pararnn_gru_sequential(const float*, const float*, const float*, float*, int, int, int);
void pararnn_gru_adjoint_sequential(const float*, const float*, const float*, const float*, const float*, float*, float*,
                                    float*, int, int, int);
void pararnn_lstm_sequential(const float*, const float*, const float*, const float*, float*, int, int, int);
void pararnn_lstm_adjoint_sequential(const float*, const float*, const float*, const float*, const float*, const float*,
                                     float*, float*, float*, int, int, int);
#define PARARNN_NEWTON_DECL(name)                                                                                  \
    void name(const float*, const float*, const float*, const float*, float*, float*, int, int, int, int, int, float, int, \
              int);
PARARNN_NEWTON_DECL(pararnn_gru_newton_c4)
PARARNN_NEWTON_DECL(pararnn_gru_newton_c16)
PARARNN_NEWTON_DECL(pararnn_lstm_newton_c4)
PARARNN_NEWTON_DECL(pararnn_lstm_newton_c8)
void pararnn_gru_adjoint_scan(const float*, const float*, const float*, const float*, const float*, float*, float*, float*,
                              int, int, int, int, const float*, int);
void pararnn_lstm_adjoint_scan(const float*, const float*, const float*, const float*, const float*, const float*, float*,
                               float*, float*, int, int, int, int, const float*, int);
void pararnn_gru_adjoint_spread_reduce(const float*, const float*, const float*, const float*, const float*, float*, float*,
                                       int, int, int, int, int);
void pararnn_lstm_adjoint_spread_reduce(const float*, const float*, const float*, const float*, const float*, const float*,
                                        float*, float*, int, int, int, int, int);
void pararnn_sum_segments(const float*, int, int, float*);
void pararnn_tape_run(const int*, int, const int*, int, const float*, const float*, const int*, const float*, int,
                      const float*, int, int, int, float*);
void pararnn_gru_newton_spread_reduce(const float*, const float*, const float*, const float*, float*, float*, float*, int,
                                      int, int, int, int);
void pararnn_lstm_newton_spread_reduce(const float*, const float*, const float*, const float*, const float*, float*, float*,
                                       float*, int, int, int, int, int);
void pararnn_gru_newton_spread_update(const float*, const float*, const float*, const float*, const float*, float*, int, int,
                                      int, int, int);
void pararnn_lstm_newton_spread_update(const float*, const float*, const float*, const float*, const float*, const float*,
                                       float*, int, int, int, int, int);
void pararnn_test_collectives(float*);
void pararnn_test_barrier_misuse(float*);
void pararnn_test_divergent_shuffle(float*);
void pararnn_test_counts(const float*, float*);
}

namespace {

template <typename T>
T arg(void** params, int i) {
    T v;
    std::memcpy(&v, params[i], sizeof(T));
    return v;
}

using F = const float*;

// A kernel's parameters read from their slots by the kernel's own signature (the ops kernels: no hand-kept
// list of argument positions to drift from the source).
template <typename... A, std::size_t... I>
emu::Body bindSlots(void (*fn)(A...), void** p, std::index_sequence<I...>) {
    std::tuple<A...> args{arg<A>(p, I)...};
    return [=] { std::apply(fn, args); };
}

template <typename... A>
emu::Body bind(void (*fn)(A...), void** p) {
    return bindSlots(fn, p, std::index_sequence_for<A...>{});
}

emu::Body kernel(const std::string& name, void** p) {
#define PARARNN_BIND_SCAN(k)                   \
    if (name == "pararnn_scan_k" #k) {           \
        return bind(pararnn_scan_k##k, p);        \
    }                                            \
    if (name == "pararnn_scan_reduce_k" #k) {    \
        return bind(pararnn_scan_reduce_k##k, p); \
    }
    PARARNN_BIND_SCAN(1)
    PARARNN_BIND_SCAN(2)
    PARARNN_BIND_SCAN(3)
#undef PARARNN_BIND_SCAN
    if (name == "pararnn_scan_generic") {
        F a = arg<F>(p, 0), b = arg<F>(p, 1), init = arg<F>(p, 2);
        float* out = arg<float*>(p, 3);
        int v[7];
        for (int i = 0; i < 7; i++) {
            v[i] = arg<int>(p, 4 + i);
        }
        return [=] { pararnn_scan_generic(a, b, init, out, v[0], v[1], v[2], v[3], v[4], v[5], v[6]); };
    }
    using P = float*;
    if (name == "pararnn_gru_sequential") {
        F a = arg<F>(p, 0), u = arg<F>(p, 1), init = arg<F>(p, 2);
        P states = arg<P>(p, 3);
        int batch = arg<int>(p, 4), steps = arg<int>(p, 5), dw = arg<int>(p, 6);
        return [=] { pararnn_gru_sequential(a, u, init, states, batch, steps, dw); };
    }
    if (name == "pararnn_gru_adjoint_sequential") {
        F a = arg<F>(p, 0), u = arg<F>(p, 1), init = arg<F>(p, 2), states = arg<F>(p, 3), gs = arg<F>(p, 4);
        P gu = arg<P>(p, 5), parts = arg<P>(p, 6), gi = arg<P>(p, 7);
        int batch = arg<int>(p, 8), steps = arg<int>(p, 9), dw = arg<int>(p, 10);
        return [=] { pararnn_gru_adjoint_sequential(a, u, init, states, gs, gu, parts, gi, batch, steps, dw); };
    }
    if (name == "pararnn_lstm_sequential") {
        F a = arg<F>(p, 0), c = arg<F>(p, 1), u = arg<F>(p, 2), init = arg<F>(p, 3);
        P states = arg<P>(p, 4);
        int batch = arg<int>(p, 5), steps = arg<int>(p, 6), dw = arg<int>(p, 7);
        return [=] { pararnn_lstm_sequential(a, c, u, init, states, batch, steps, dw); };
    }
    if (name == "pararnn_lstm_adjoint_sequential") {
        F a = arg<F>(p, 0), c = arg<F>(p, 1), u = arg<F>(p, 2), init = arg<F>(p, 3), states = arg<F>(p, 4), gs = arg<F>(p, 5);
        P gu = arg<P>(p, 6), parts = arg<P>(p, 7), gi = arg<P>(p, 8);
        int batch = arg<int>(p, 9), steps = arg<int>(p, 10), dw = arg<int>(p, 11);
        return [=] { pararnn_lstm_adjoint_sequential(a, c, u, init, states, gs, gu, parts, gi, batch, steps, dw); };
    }
    if (name == "pararnn_gru_newton_c4" || name == "pararnn_gru_newton_c16" || name == "pararnn_lstm_newton_c4"
        || name == "pararnn_lstm_newton_c8") {
        auto fn = name == "pararnn_gru_newton_c4" ? pararnn_gru_newton_c4
                : name == "pararnn_gru_newton_c16" ? pararnn_gru_newton_c16
                : name == "pararnn_lstm_newton_c4" ? pararnn_lstm_newton_c4 : pararnn_lstm_newton_c8;
        F a = arg<F>(p, 0), c = arg<F>(p, 1), u = arg<F>(p, 2), init = arg<F>(p, 3);
        P states = arg<P>(p, 4), stats = arg<P>(p, 5);
        int batch = arg<int>(p, 6), steps = arg<int>(p, 7), dw = arg<int>(p, 8), chunk = arg<int>(p, 9), budget = arg<int>(p, 10);
        float tol = arg<float>(p, 11);
        int patience = arg<int>(p, 12), fallback = arg<int>(p, 13);
        return [=] { fn(a, c, u, init, states, stats, batch, steps, dw, chunk, budget, tol, patience, fallback); };
    }
    // Kernels whose parameters are read by their signature.
#define PARARNN_BIND_NAMED(k) \
    if (name == #k) {         \
        return bind(k, p);    \
    }
    PARARNN_BIND_NAMED(pararnn_gru_adjoint_scan)
    PARARNN_BIND_NAMED(pararnn_lstm_adjoint_scan)
    PARARNN_BIND_NAMED(pararnn_gru_adjoint_spread_reduce)
    PARARNN_BIND_NAMED(pararnn_lstm_adjoint_spread_reduce)
    PARARNN_BIND_NAMED(pararnn_sum_segments)
    PARARNN_BIND_NAMED(pararnn_tape_run)
    PARARNN_BIND_NAMED(pararnn_gru_newton_spread_reduce)
    PARARNN_BIND_NAMED(pararnn_lstm_newton_spread_reduce)
    PARARNN_BIND_NAMED(pararnn_gru_newton_spread_update)
    PARARNN_BIND_NAMED(pararnn_lstm_newton_spread_update)
    PARARNN_BIND_NAMED(pararnn_test_counts)
#undef PARARNN_BIND_NAMED
#define PARARNN_BIND_OPS(k) \
    if (name == #k) {          \
        return bind(k, p);     \
    }
    PARARNN_OPS_KERNELS(PARARNN_BIND_OPS)
#undef PARARNN_BIND_OPS
    if (name == "pararnn_test_collectives" || name == "pararnn_test_barrier_misuse" || name == "pararnn_test_divergent_shuffle") {
        auto fn = name == "pararnn_test_collectives" ? pararnn_test_collectives
                : name == "pararnn_test_barrier_misuse" ? pararnn_test_barrier_misuse : pararnn_test_divergent_shuffle;
        float* out = arg<float*>(p, 0);
        return [=] { fn(out); };
    }
    return nullptr;
}

}  // namespace

extern "C" {

// Runs `name` over grid × block; returns 0 with the launch's counts (phases, bytes read, bytes written,
// blocks) in counts[0..3], or 1 with the reason in err (NUL-terminated, cut to errLen).
int pararnn_emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                       unsigned sharedBytes, void** params, unsigned long long* counts, char* err, int errLen) {
    std::string e;
    emu::Body body = kernel(name, params);
    if (!body) {
        e = std::string("no kernel named ") + name + " in the emulated module";
    } else {
        e = emu::launch(body, dim3(gx, gy, gz), dim3(bx, by, bz), sharedBytes);
    }
    if (e.empty()) {
        emu::Counts c = emu::last_counts();
        counts[0] = c.phases;
        counts[1] = c.bytesRead;
        counts[2] = c.bytesWritten;
        counts[3] = c.blocks;
        return 0;
    }
    if (errLen > 0) {
        std::strncpy(err, e.c_str(), errLen - 1);
        err[errLen - 1] = '\0';
    }
    return 1;
}

}
