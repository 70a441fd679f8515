/* The hot loops of char-level RNN training and sampling, on plain row-major float arrays.
 * Shapes are given in comments as [rows, cols]; B = batch, H = hidden size, M = any width. */
#ifndef CHARRNN_KERNELS_H
#define CHARRNN_KERNELS_H

#include <stddef.h>

/* C[M,N] = alpha * op(A)[M,K] @ op(B)[K,N] + beta * C, through the system BLAS. */
void sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
           const float *B, int ldb, float beta, float *C, int ldc);

/* out[n,:] = W[idx[n],:] + bias  (the input projection of a one-hot input: a row gather, no product). */
void gather_rows_bias(const float *W, const float *bias, const int *idx, float *out, int N, int M);
/* dW[idx[n],:] += dz[n,:]  (the gradient of that gather). */
void scatter_add_rows(const float *dz, const int *idx, float *dW, int N, int M);
/* z[n,:] += bias */
void add_row(float *z, const float *bias, int N, int M);
/* out[:] += sum over rows of dz[N, M], reading columns col0..col0+width-1 of each row. */
void col_sum(const float *dz, int N, int M, int col0, int width, float *out);
/* a[i] *= mask[i]  (dropout; the mask holds 0 or 1/(1-p)). */
void mul_inplace(float *a, const float *mask, int n);

/* One time step of each cell, forward: z holds the pre-activations on entry and the gate activations on exit
 * (kept for the backward step). */
void rnn_forward(float *z, float *h, int B, int H);                                           /* z [B,H] */
void lstm_forward(float *z, const float *c_prev, float *c, float *h, int B, int H);           /* z [B,4H] i,f,g,o */
/* GRU (r, z, n): zx, zh [B,3H]; bhn [H] is the recurrent bias of n; hn [B,H] keeps zh_n + bhn. */
void gru_forward(float *zx, const float *zh, const float *bhn, const float *h_prev, float *hn, float *h, int B, int H);

/* One time step of each cell, backward. dh [B,H] is the gradient reaching h_t; the activations in z are replaced
 * by the gradient of the pre-activations. */
void rnn_backward(float *z, const float *dh, int B, int H);
void lstm_backward(float *z, const float *dh, float *dc, const float *c, const float *c_prev, int B, int H);
/* GRU: dzx [B,3H] gets the input-side pre-activation gradient, dzh [B,3H] the recurrent side (they differ in the n
 * gate), dh_prev [B,H] gets (+=) the direct path z * dh. */
void gru_backward(float *zx, float *dzh, const float *dh, const float *h_prev, const float *hn, float *dh_prev,
                  int B, int H);

/* Softmax cross-entropy over rows of logits [N,V]: returns the summed -log p(target); logits are replaced by
 * scale * (softmax - onehot(target)), the gradient of scale * sum. */
double softmax_xent(float *logits, const int *targets, int N, int V, float scale);

/* Adam and RMSProp steps over n values (c1, c2: Adam's bias corrections 1 - beta^t). */
void adam_update(const float *p, const float *g, const float *m, const float *v, float *p_out, float *m_out,
                 float *v_out, int n, float lr, double beta1, double beta2, float eps, float c1, float c2);
void rmsprop_update(const float *p, const float *g, const float *ms, float *p_out, float *ms_out, int n, float lr,
                    double decay, float eps);

#endif
