/* The one place that talks to the system BLAS: OpenBLAS (Linux) or Accelerate (macOS). */
#ifdef USE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif
#include "kernels.h"

/* c[N] = alpha * a[K] @ op(B) + beta * c, on this thread. Written by hand for sampling at batch 1, where the
 * product is a few microseconds of work: OpenBLAS 0.3.21 sends M = 1 through its whole gemm driver, and its gemv
 * wakes a second thread from 9,216 elements on, which costs more than the product (and much more on a busy machine). */
static void row_times_matrix(int trans_b, int N, int K, float alpha, const float *a, const float *B, int ldb,
                             float beta, float *c) {
  for (int n = 0; n < N; n++) c[n] = beta == 0.0f ? 0.0f : beta * c[n];
  if (trans_b) { /* B [N, K]: one dot product per output */
    for (int n = 0; n < N; n++) {
      const float *b = B + (size_t)n * ldb;
      float s = 0.0f;
      for (int k = 0; k < K; k++) s += a[k] * b[k];
      c[n] += alpha * s;
    }
  } else { /* B [K, N]: add a[k] times row k of B */
    for (int k = 0; k < K; k++) {
      const float *b = B + (size_t)k * ldb;
      float s = alpha * a[k];
      for (int n = 0; n < N; n++) c[n] += s * b[n];
    }
  }
}

void sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
           const float *B, int ldb, float beta, float *C, int ldc) {
  if (M == 1 && !trans_a) {
    row_times_matrix(trans_b, N, K, alpha, A, B, ldb, beta, C);
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
              A, lda, B, ldb, beta, C, ldc);
}
