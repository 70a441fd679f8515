/* N-API glue: checks the JavaScript arguments (types and array lengths, so a wrong call throws instead of
 * corrupting memory) and calls the kernels in kernels.h. Arrays are used in place, never copied. */
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#ifndef USE_ACCELERATE
#include <cblas.h>
#endif
#include "kernels.h"

#define MAX_ARGS 13

/* One parsed argument: a typed array (pointer and length) or a number. */
typedef struct {
  void *data;
  size_t len;
  double num;
} Arg;

/* Parses the call's arguments by a signature: 'f' Float32Array, 'i' Int32Array, 'n' number. */
static int parse(napi_env env, napi_callback_info info, const char *sig, Arg *a) {
  size_t argc = MAX_ARGS;
  napi_value argv[MAX_ARGS];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t want = strlen(sig);
  if (argc != want) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected %zu arguments, got %zu", want, argc);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  for (size_t k = 0; k < want; k++) {
    if (sig[k] == 'n') {
      if (napi_get_value_double(env, argv[k], &a[k].num) != napi_ok) {
        napi_throw_type_error(env, NULL, "expected a number");
        return 0;
      }
      continue;
    }
    napi_typedarray_type type;
    napi_value buffer;
    size_t offset;
    bool is_typed = false;
    napi_is_typedarray(env, argv[k], &is_typed);
    if (!is_typed || napi_get_typedarray_info(env, argv[k], &type, &a[k].len, &a[k].data, &buffer, &offset) != napi_ok ||
        type != (sig[k] == 'f' ? napi_float32_array : napi_int32_array)) {
      napi_throw_type_error(env, NULL, sig[k] == 'f' ? "expected a Float32Array" : "expected an Int32Array");
      return 0;
    }
  }
  return 1;
}

/* Throws unless an array holds at least `need` elements (need < 0 comes from negative sizes: also an error). */
static int fits(napi_env env, const Arg *a, double need, const char *what) {
  if (need < 0 || (double)a->len < need) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s: array of %zu elements, needs %.0f", what, a->len, need);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

/* Elements a row-major [rows, cols] view with leading dimension ld spans. */
static double span(double rows, double cols, double ld) { return rows <= 0 || cols <= 0 ? 0 : (rows - 1) * ld + cols; }

#define F32(k) ((float *)a[k].data)
#define I32(k) ((int *)a[k].data)
#define NUM(k) ((int)a[k].num)
#define PARSE(sig) Arg a[MAX_ARGS]; if (!parse(env, info, sig, a)) return NULL
#define FITS(k, need) if (!fits(env, &a[k], (need), name)) return NULL

/* sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc): C = alpha op(A) op(B) + beta C */
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  const char *name = "sgemm";
  PARSE("nnnnnnfnfnnfn");
  int ta = NUM(0), tb = NUM(1), M = NUM(2), Nn = NUM(3), K = NUM(4);
  if (M < 0 || Nn < 0 || K < 0) { napi_throw_range_error(env, NULL, "sgemm: negative size"); return NULL; }
  if (NUM(7) < (ta ? M : K) || NUM(9) < (tb ? K : Nn) || NUM(12) < Nn || NUM(7) < 1 || NUM(9) < 1 || NUM(12) < 1) {
    napi_throw_range_error(env, NULL, "sgemm: a leading dimension is smaller than its row");
    return NULL;
  }
  FITS(6, ta ? span(K, M, a[7].num) : span(M, K, a[7].num));
  FITS(8, tb ? span(Nn, K, a[9].num) : span(K, Nn, a[9].num));
  FITS(11, span(M, Nn, a[12].num));
  if (M && Nn) sgemm(ta, tb, M, Nn, K, (float)a[5].num, F32(6), NUM(7), F32(8), NUM(9), (float)a[10].num, F32(11), NUM(12));
  return NULL;
}

/* Checks that every index is a row of a table with `rows` rows. */
static int rows_ok(napi_env env, const int *idx, int n, double rows) {
  for (int k = 0; k < n; k++) {
    if (idx[k] < 0 || idx[k] >= rows) {
      napi_throw_range_error(env, NULL, "row index out of range");
      return 0;
    }
  }
  return 1;
}

/* gatherRowsBias(W, bias, idx, out, N, M): out[n,:] = W[idx[n],:] + bias */
static napi_value js_gather_rows_bias(napi_env env, napi_callback_info info) {
  const char *name = "gatherRowsBias";
  PARSE("ffifnn");
  int n = NUM(4), m = NUM(5);
  FITS(1, m); FITS(2, n); FITS(3, (double)n * m);
  if (m > 0 && !rows_ok(env, I32(2), n, (double)a[0].len / m)) return NULL;
  gather_rows_bias(F32(0), F32(1), I32(2), F32(3), n, m);
  return NULL;
}

/* scatterAddRows(dz, idx, dW, N, M): dW[idx[n],:] += dz[n,:] */
static napi_value js_scatter_add_rows(napi_env env, napi_callback_info info) {
  const char *name = "scatterAddRows";
  PARSE("fifnn");
  int n = NUM(3), m = NUM(4);
  FITS(0, (double)n * m); FITS(1, n);
  if (m > 0 && !rows_ok(env, I32(1), n, (double)a[2].len / m)) return NULL;
  scatter_add_rows(F32(0), I32(1), F32(2), n, m);
  return NULL;
}

/* addRow(z, bias, N, M): z[n,:] += bias */
static napi_value js_add_row(napi_env env, napi_callback_info info) {
  const char *name = "addRow";
  PARSE("ffnn");
  FITS(0, a[2].num * a[3].num); FITS(1, a[3].num);
  add_row(F32(0), F32(1), NUM(2), NUM(3));
  return NULL;
}

/* colSum(dz, N, M, col0, width, out): out += column sums of dz[:, col0:col0+width] */
static napi_value js_col_sum(napi_env env, napi_callback_info info) {
  const char *name = "colSum";
  PARSE("fnnnnf");
  if (a[3].num < 0 || a[3].num + a[4].num > a[2].num) { napi_throw_range_error(env, NULL, "colSum: columns out of range"); return NULL; }
  FITS(0, a[1].num * a[2].num); FITS(5, a[4].num);
  col_sum(F32(0), NUM(1), NUM(2), NUM(3), NUM(4), F32(5));
  return NULL;
}

/* mulInPlace(a, mask): a *= mask, elementwise over a's length */
static napi_value js_mul_inplace(napi_env env, napi_callback_info info) {
  const char *name = "mulInPlace";
  PARSE("ff");
  FITS(1, a[0].len);
  mul_inplace(F32(0), F32(1), (int)a[0].len);
  return NULL;
}

/* rnnForward(z, h, B, H) and rnnBackward(z, dh, B, H): both take two [B,H] arrays. */
static napi_value rnn_step(napi_env env, napi_callback_info info, int backward) {
  const char *name = backward ? "rnnBackward" : "rnnForward";
  PARSE("ffnn");
  double bh = a[2].num * a[3].num;
  FITS(0, bh); FITS(1, bh);
  if (backward) rnn_backward(F32(0), F32(1), NUM(2), NUM(3));
  else rnn_forward(F32(0), F32(1), NUM(2), NUM(3));
  return NULL;
}

static napi_value js_rnn_forward(napi_env env, napi_callback_info info) { return rnn_step(env, info, 0); }
static napi_value js_rnn_backward(napi_env env, napi_callback_info info) { return rnn_step(env, info, 1); }

/* lstmForward(z, cPrev, c, h, B, H) */
static napi_value js_lstm_forward(napi_env env, napi_callback_info info) {
  const char *name = "lstmForward";
  PARSE("ffffnn");
  double bh = a[4].num * a[5].num;
  FITS(0, 4 * bh); FITS(1, bh); FITS(2, bh); FITS(3, bh);
  lstm_forward(F32(0), F32(1), F32(2), F32(3), NUM(4), NUM(5));
  return NULL;
}

/* lstmBackward(z, dh, dc, c, cPrev, B, H) */
static napi_value js_lstm_backward(napi_env env, napi_callback_info info) {
  const char *name = "lstmBackward";
  PARSE("fffffnn");
  double bh = a[5].num * a[6].num;
  FITS(0, 4 * bh); FITS(1, bh); FITS(2, bh); FITS(3, bh); FITS(4, bh);
  lstm_backward(F32(0), F32(1), F32(2), F32(3), F32(4), NUM(5), NUM(6));
  return NULL;
}

/* gruForward(zx, zh, bhn, hPrev, hn, h, B, H) */
static napi_value js_gru_forward(napi_env env, napi_callback_info info) {
  const char *name = "gruForward";
  PARSE("ffffffnn");
  double bh = a[6].num * a[7].num;
  FITS(0, 3 * bh); FITS(1, 3 * bh); FITS(2, a[7].num); FITS(3, bh); FITS(4, bh); FITS(5, bh);
  gru_forward(F32(0), F32(1), F32(2), F32(3), F32(4), F32(5), NUM(6), NUM(7));
  return NULL;
}

/* gruBackward(zx, dzh, dh, hPrev, hn, dhPrev, B, H) */
static napi_value js_gru_backward(napi_env env, napi_callback_info info) {
  const char *name = "gruBackward";
  PARSE("ffffffnn");
  double bh = a[6].num * a[7].num;
  FITS(0, 3 * bh); FITS(1, 3 * bh); FITS(2, bh); FITS(3, bh); FITS(4, bh); FITS(5, bh);
  gru_backward(F32(0), F32(1), F32(2), F32(3), F32(4), F32(5), NUM(6), NUM(7));
  return NULL;
}

/* softmaxXent(logits, targets, N, V, scale) -> summed loss; logits become the gradient */
static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  const char *name = "softmaxXent";
  PARSE("finnn");
  int n = NUM(2), v = NUM(3);
  FITS(0, (double)n * v); FITS(1, n);
  if (v <= 0 || !rows_ok(env, I32(1), n, v)) return NULL;
  napi_value out;
  napi_create_double(env, softmax_xent(F32(0), I32(1), n, v, (float)a[4].num), &out);
  return out;
}

/* adamUpdate(p, g, m, v, pOut, mOut, vOut, lr, beta1, beta2, eps, c1, c2) */
static napi_value js_adam_update(napi_env env, napi_callback_info info) {
  const char *name = "adamUpdate";
  PARSE("fffffffnnnnnn");
  double n = a[0].len;
  for (int k = 1; k < 7; k++) FITS(k, n);
  adam_update(F32(0), F32(1), F32(2), F32(3), F32(4), F32(5), F32(6), (int)n, (float)a[7].num, a[8].num,
              a[9].num, (float)a[10].num, (float)a[11].num, (float)a[12].num);
  return NULL;
}

/* rmspropUpdate(p, g, ms, pOut, msOut, lr, decay, eps) */
static napi_value js_rmsprop_update(napi_env env, napi_callback_info info) {
  const char *name = "rmspropUpdate";
  PARSE("fffffnnn");
  double n = a[0].len;
  for (int k = 1; k < 5; k++) FITS(k, n);
  rmsprop_update(F32(0), F32(1), F32(2), F32(3), F32(4), (int)n, (float)a[5].num, a[6].num, (float)a[7].num);
  return NULL;
}

/* blasInfo() -> a short description of the BLAS in use and its thread count */
static napi_value js_blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  char text[256];
#ifdef USE_ACCELERATE
  snprintf(text, sizeof text, "Accelerate");
#else
  snprintf(text, sizeof text, "%s, %d threads", openblas_get_config(), openblas_get_num_threads());
#endif
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
    {"sgemm", NULL, js_sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gatherRowsBias", NULL, js_gather_rows_bias, NULL, NULL, NULL, napi_enumerable, NULL},
    {"scatterAddRows", NULL, js_scatter_add_rows, NULL, NULL, NULL, napi_enumerable, NULL},
    {"addRow", NULL, js_add_row, NULL, NULL, NULL, napi_enumerable, NULL},
    {"colSum", NULL, js_col_sum, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mulInPlace", NULL, js_mul_inplace, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rnnForward", NULL, js_rnn_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rnnBackward", NULL, js_rnn_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstmForward", NULL, js_lstm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstmBackward", NULL, js_lstm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gruForward", NULL, js_gru_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gruBackward", NULL, js_gru_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"softmaxXent", NULL, js_softmax_xent, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adamUpdate", NULL, js_adam_update, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rmspropUpdate", NULL, js_rmsprop_update, NULL, NULL, NULL, napi_enumerable, NULL},
    {"blasInfo", NULL, js_blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
