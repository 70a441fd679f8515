/* Row-wise helpers around the products: gather, scatter, bias, column sums, dropout masks. */
#include <string.h>
#include "kernels.h"

void gather_rows_bias(const float *W, const float *bias, const int *idx, float *out, int N, int M) {
  for (int n = 0; n < N; n++) {
    const float *w = W + (size_t)idx[n] * M;
    float *o = out + (size_t)n * M;
    for (int j = 0; j < M; j++) o[j] = w[j] + bias[j];
  }
}

void scatter_add_rows(const float *dz, const int *idx, float *dW, int N, int M) {
  for (int n = 0; n < N; n++) {
    const float *d = dz + (size_t)n * M;
    float *w = dW + (size_t)idx[n] * M;
    for (int j = 0; j < M; j++) w[j] += d[j];
  }
}

void add_row(float *z, const float *bias, int N, int M) {
  for (int n = 0; n < N; n++) {
    float *r = z + (size_t)n * M;
    for (int j = 0; j < M; j++) r[j] += bias[j];
  }
}

void col_sum(const float *dz, int N, int M, int col0, int width, float *out) {
  for (int n = 0; n < N; n++) {
    const float *r = dz + (size_t)n * M + col0;
    for (int j = 0; j < width; j++) out[j] += r[j];
  }
}

void mul_inplace(float *a, const float *mask, int n) {
  for (int i = 0; i < n; i++) a[i] *= mask[i];
}
