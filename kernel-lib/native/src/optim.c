/* Optimizer updates fused into one pass per parameter (TF.js on wasm runs each as ~8 separate ops over memory).
 * The same formulas as kernel-lib/src/train/optimizers.ts; inputs are left as they are, results go to *_out.
 * The decay rates come in as doubles so that 1 - beta is rounded to float once, as TF.js rounds it (0.999f's own
 * 1 - 0.999f is off by 1e-5 relative). */
#include <math.h>
#include "kernels.h"

/* Under -ffast-math GCC computes a vector sqrtf as x * rsqrt(x), which is 0 * inf = NaN at x = 0, and a running
 * average that decays below the smallest normal float is flushed to 0. The floor keeps it off 0; it is far below
 * eps^2, so the update is unchanged. */
#define TINY 1e-30f

void adam_update(const float *p, const float *g, const float *m, const float *v, float *p_out, float *m_out,
                 float *v_out, int n, float lr, double beta1, double beta2, float eps, float c1, float c2) {
  float b1 = (float)beta1, b2 = (float)beta2, rest1 = (float)(1.0 - beta1), rest2 = (float)(1.0 - beta2);
  for (int i = 0; i < n; i++) {
    float mi = b1 * m[i] + rest1 * g[i];
    float vi = b2 * v[i] + rest2 * g[i] * g[i];
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] - (mi * (lr / c1)) / (sqrtf(fmaxf(vi / c2, TINY)) + eps);
  }
}

void rmsprop_update(const float *p, const float *g, const float *ms, float *p_out, float *ms_out, int n, float lr,
                    double decay, float eps) {
  float d = (float)decay, rest = (float)(1.0 - decay);
  for (int i = 0; i < n; i++) {
    float s = d * ms[i] + rest * g[i] * g[i];
    ms_out[i] = s;
    p_out[i] = p[i] - (g[i] * lr) / (sqrtf(fmaxf(s, TINY)) + eps);
  }
}
