/* The one place that talks to the system BLAS: OpenBLAS (Linux) or Accelerate (macOS). */
#ifdef USE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif
#include "kernels.h"

void sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
           const float *B, int ldb, float beta, float *C, int ldc) {
  if (M == 1 && !trans_a) {
    /* One row (sampling at batch 1): a matrix-vector product. OpenBLAS 0.3.21 sends M = 1 through its full
     * gemm driver, several times slower than gemv. C[1,N] = A[1,K] @ op(B)[K,N], i.e. op(B)^T @ a. */
    cblas_sgemv(CblasRowMajor, trans_b ? CblasNoTrans : CblasTrans, trans_b ? N : K, trans_b ? K : N, alpha, B, ldb,
                A, 1, beta, C, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
              A, lda, B, ldb, beta, C, ldc);
}
