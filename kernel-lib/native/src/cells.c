/* Fused forward and backward of one time step of the RNN, LSTM and GRU cells (PyTorch's gate orders and equations).
 * Each is one pass over memory; with -O3 -ffast-math GCC vectorises the loops, calling glibc's vector expf/tanhf.
 * The gate pointers of one row point into the same buffer at disjoint offsets, which GCC cannot prove: the
 * `ivdep` pragmas tell it so (without them these loops stay scalar). */
#include <math.h>
#include "kernels.h"

/* Clamped: past |x| = 30 the result is 0 or 1 in float anyway, and under -ffast-math an expf that overflows to inf
 * meets a reciprocal approximation (inf * 0) and gives NaN. */
static inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-fminf(fmaxf(x, -30.0f), 30.0f))); }

/* h = tanh(z) */
void rnn_forward(float *z, float *h, int B, int H) {
  for (int i = 0; i < B * H; i++) h[i] = z[i] = tanhf(z[i]);
}

void rnn_backward(float *z, const float *dh, int B, int H) {
  for (int i = 0; i < B * H; i++) z[i] = dh[i] * (1.0f - z[i] * z[i]);
}

/* i = σ(zi), f = σ(zf), g = tanh(zg), o = σ(zo); c = f*c_prev + i*g; h = o*tanh(c) */
void lstm_forward(float *z, const float *c_prev, float *c, float *h, int B, int H) {
  for (int b = 0; b < B; b++) {
    float *zi = z + (size_t)b * 4 * H, *zf = zi + H, *zg = zf + H, *zo = zg + H;
    const float *cp = c_prev + (size_t)b * H;
    float *cb = c + (size_t)b * H, *hb = h + (size_t)b * H;
#pragma GCC ivdep
    for (int j = 0; j < H; j++) {
      float i = sigmoid(zi[j]), f = sigmoid(zf[j]), g = tanhf(zg[j]), o = sigmoid(zo[j]);
      float cc = f * cp[j] + i * g;
      zi[j] = i; zf[j] = f; zg[j] = g; zo[j] = o;
      cb[j] = cc;
      hb[j] = o * tanhf(cc);
    }
  }
}

/* dc (in: from step t+1, out: to step t-1) carries the cell-state gradient. */
void lstm_backward(float *z, const float *dh, float *dc, const float *c, const float *c_prev, int B, int H) {
  for (int b = 0; b < B; b++) {
    float *zi = z + (size_t)b * 4 * H, *zf = zi + H, *zg = zf + H, *zo = zg + H;
    const float *dhb = dh + (size_t)b * H, *cb = c + (size_t)b * H, *cp = c_prev + (size_t)b * H;
    float *dcb = dc + (size_t)b * H;
#pragma GCC ivdep
    for (int j = 0; j < H; j++) {
      float i = zi[j], f = zf[j], g = zg[j], o = zo[j];
      float tc = tanhf(cb[j]);
      float d = dcb[j] + dhb[j] * o * (1.0f - tc * tc);
      zi[j] = d * g * i * (1.0f - i);
      zf[j] = d * cp[j] * f * (1.0f - f);
      zg[j] = d * i * (1.0f - g * g);
      zo[j] = dhb[j] * tc * o * (1.0f - o);
      dcb[j] = d * f;
    }
  }
}

/* zx = x-side pre-activations + bias, zh = h_prev @ Wh, bhn = recurrent bias of n [H]:
 * r = σ(zx_r + zh_r), u = σ(zx_u + zh_u), n = tanh(zx_n + r * (zh_n + bhn)), h = (1-u)*n + u*h_prev.
 * (PyTorch's z gate is called u here, to keep z for pre-activations.)
 * Keeps r, u, n in zx and zh_n + bhn in hn for the backward step. */
void gru_forward(float *zx, const float *zh, const float *bhn, const float *h_prev, float *hn, float *h, int B, int H) {
  for (int b = 0; b < B; b++) {
    float *xr = zx + (size_t)b * 3 * H, *xu = xr + H, *xn = xu + H;
    const float *hr = zh + (size_t)b * 3 * H, *hu = hr + H, *hh = hu + H;
    const float *hp = h_prev + (size_t)b * H;
    float *hnb = hn + (size_t)b * H, *hb = h + (size_t)b * H;
#pragma GCC ivdep
    for (int j = 0; j < H; j++) {
      float r = sigmoid(xr[j] + hr[j]), u = sigmoid(xu[j] + hu[j]);
      float hnj = hh[j] + bhn[j];
      float n = tanhf(xn[j] + r * hnj);
      xr[j] = r; xu[j] = u; xn[j] = n;
      hnb[j] = hnj;
      hb[j] = (1.0f - u) * n + u * hp[j];
    }
  }
}

void gru_backward(float *zx, float *dzh, const float *dh, const float *h_prev, const float *hn, float *dh_prev,
                  int B, int H) {
  for (int b = 0; b < B; b++) {
    float *xr = zx + (size_t)b * 3 * H, *xu = xr + H, *xn = xu + H;
    float *dr_h = dzh + (size_t)b * 3 * H, *du_h = dr_h + H, *dn_h = du_h + H;
    const float *dhb = dh + (size_t)b * H, *hp = h_prev + (size_t)b * H, *hnb = hn + (size_t)b * H;
    float *dhp = dh_prev + (size_t)b * H;
#pragma GCC ivdep
    for (int j = 0; j < H; j++) {
      float r = xr[j], u = xu[j], n = xn[j], d = dhb[j];
      float dn = d * (1.0f - u) * (1.0f - n * n);
      float du = d * (hp[j] - n) * u * (1.0f - u);
      float dr = dn * hnb[j] * r * (1.0f - r);
      xr[j] = dr; xu[j] = du; xn[j] = dn;
      dr_h[j] = dr; du_h[j] = du; dn_h[j] = dn * r;
      dhp[j] += d * u;
    }
  }
}
