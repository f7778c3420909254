// The ops kernels (ops.cu): declared once, for ops.cu itself and for the emulator's table of entry points.
#ifndef PARARNN_OPS_H
#define PARARNN_OPS_H

#include "pararnn_cuda.h"

#define PARARNN_OPS_KERNEL extern "C" __global__

PARARNN_OPS_KERNEL void pararnn_ops_matmul(const float* a, int aOff, int lda, int transA, const float* b, int bOff, int ldb, int transB, float* c, int cOff, int ldc, int m, int n, int k, float alpha, float beta, int kChunk, float* part);
PARARNN_OPS_KERNEL void pararnn_ops_matmul_splits(const float* part, int splits, float* c, int cOff, int ldc, int m, int n, float alpha, float beta);
PARARNN_OPS_KERNEL void pararnn_ops_rmsnorm(const float* x, int xOff, int ldx, const float* gain, float* y, int yOff, int ldy, float* invRms, int rows, int width, float eps);
PARARNN_OPS_KERNEL void pararnn_ops_rmsnorm_backward(const float* x, int xOff, int ldx, const float* gain, const float* invRms, const float* dy, int dyOff, int ldy, float* dx, int dxOff, int lddx, int accumulate, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_rmsnorm_gain_grad(const float* x, int xOff, int ldx, const float* invRms, const float* dy, int dyOff, int ldy, float* gradGain, int rows, int width, float* partial);
PARARNN_OPS_KERNEL void pararnn_ops_add_partials(const float* partial, int chunks, float* dst, int width);
PARARNN_OPS_KERNEL void pararnn_ops_check_ints(const int* v, int n, int lo, int hi, int* partial);
PARARNN_OPS_KERNEL void pararnn_ops_first_index(const int* partial, int count, const int* values, int n, int* result);
PARARNN_OPS_KERNEL void pararnn_ops_embedding(const int* tokens, int steps, const float* table, const float* positions, float* out, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_embedding_backward(const int* tokens, int steps, const float* dOut, float* gradTable, float* gradPositions, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_fill(float* a, int n, float value);
PARARNN_OPS_KERNEL void pararnn_ops_copy(const float* src, int srcOff, int lds, float* dst, int dstOff, int ldd, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_silu(const float* x, float* sig, float* y, int n);
PARARNN_OPS_KERNEL void pararnn_ops_silu_backward(const float* x, const float* sig, const float* dy, float* dx, int n);
PARARNN_OPS_KERNEL void pararnn_ops_silu_gate(const float* g, int gOff, int gLd, const float* u, int uOff, int uLd, float* sig, float* out, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_silu_gate_backward(const float* g, int gOff, int gLd, const float* u, int uOff, int uLd, const float* sig, const float* dOut, float* dg, int dgOff, int dgLd, float* du, int duOff, int duLd, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_causal_conv(const float* x, int xOff, int ldx, const float* weight, const float* bias, const float* history, float* y, int batch, int steps, int width, int k);
PARARNN_OPS_KERNEL void pararnn_ops_causal_conv_backward_input(const float* weight, const float* dy, float* dx, int dxOff, int lddx, int batch, int steps, int width, int k);
PARARNN_OPS_KERNEL void pararnn_ops_causal_conv_backward_params(const float* x, int xOff, int ldx, const float* dy, float* gradWeight, float* gradBias, int batch, int steps, int width, int k, float* partial);
PARARNN_OPS_KERNEL void pararnn_ops_conv_params_add(const float* partial, int chunks, float* gradWeight, float* gradBias, int width, int k);
PARARNN_OPS_KERNEL void pararnn_ops_scaled_residual(const float* y, int yOff, int ldy, const float* scale, float* x, int xOff, int ldx, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_scaled_residual_input_grad(const float* dx, int dxOff, int lddx, const float* scale, float* dy, int dyOff, int lddy, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_scaled_residual_scale_grad(const float* dx, int dxOff, int lddx, const float* y, int yOff, int ldy, float* gradScale, int rows, int width, float* partial);
PARARNN_OPS_KERNEL void pararnn_ops_cross_entropy(const float* x, int xOff, int ldx, const int* targets, int* predictions, double* parts, int rows, int v);
PARARNN_OPS_KERNEL void pararnn_ops_sum_columns_double(const double* parts, int rows, int stride, double* out);
PARARNN_OPS_KERNEL void pararnn_ops_cross_entropy_backward(const float* x, int xOff, int ldx, const int* targets, float zLoss, int counted, float* dx, int dxOff, int lddx, int rows, int v);
PARARNN_OPS_KERNEL void pararnn_ops_adamw(float* w, const float* g, float* m, float* vv, int n, float beta1, float beta2, float stepSize, float invBiasCorrection2, float eps, float gradScale, float decay);
PARARNN_OPS_KERNEL void pararnn_ops_sum_squares(const float* a, int n, double* partial);
PARARNN_OPS_KERNEL void pararnn_ops_sum_doubles(const double* partial, int count, double* out);
PARARNN_OPS_KERNEL void pararnn_ops_broadcast_rows(const float* row, float* dst, int dstOff, int ldd, int rows, int width);
PARARNN_OPS_KERNEL void pararnn_ops_add_column_sums(const float* src, int srcOff, int lds, float* dst, int rows, int width, float* partial);
PARARNN_OPS_KERNEL void pararnn_ops_clamp(float* a, int n, float limit);
PARARNN_OPS_KERNEL void pararnn_ops_first_nonfinite(const float* v, int n, int* partial);
PARARNN_OPS_KERNEL void pararnn_ops_fused_weight_grads(const float* partials, int batch, int d, int parts, float* gradA, float* gradC);

// Every ops kernel, for tables that list them (the emulator's).
#define PARARNN_OPS_KERNELS(X) \
    X(pararnn_ops_matmul) \
    X(pararnn_ops_matmul_splits) \
    X(pararnn_ops_rmsnorm) \
    X(pararnn_ops_rmsnorm_backward) \
    X(pararnn_ops_rmsnorm_gain_grad) \
    X(pararnn_ops_add_partials) \
    X(pararnn_ops_check_ints) \
    X(pararnn_ops_first_index) \
    X(pararnn_ops_embedding) \
    X(pararnn_ops_embedding_backward) \
    X(pararnn_ops_fill) \
    X(pararnn_ops_copy) \
    X(pararnn_ops_silu) \
    X(pararnn_ops_silu_backward) \
    X(pararnn_ops_silu_gate) \
    X(pararnn_ops_silu_gate_backward) \
    X(pararnn_ops_causal_conv) \
    X(pararnn_ops_causal_conv_backward_input) \
    X(pararnn_ops_causal_conv_backward_params) \
    X(pararnn_ops_conv_params_add) \
    X(pararnn_ops_scaled_residual) \
    X(pararnn_ops_scaled_residual_input_grad) \
    X(pararnn_ops_scaled_residual_scale_grad) \
    X(pararnn_ops_cross_entropy) \
    X(pararnn_ops_sum_columns_double) \
    X(pararnn_ops_cross_entropy_backward) \
    X(pararnn_ops_adamw) \
    X(pararnn_ops_sum_squares) \
    X(pararnn_ops_sum_doubles) \
    X(pararnn_ops_broadcast_rows) \
    X(pararnn_ops_add_column_sums) \
    X(pararnn_ops_clamp) \
    X(pararnn_ops_first_nonfinite) \
    X(pararnn_ops_fused_weight_grads)

#endif
