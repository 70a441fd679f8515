/* Softmax cross-entropy fused with its gradient: one pass per row, no probabilities array. */
#include <math.h>
#include "kernels.h"

double softmax_xent(float *logits, const int *targets, int N, int V, float scale) {
  double total = 0;
  for (int n = 0; n < N; n++) {
    float *l = logits + (size_t)n * V;
    float mx = l[0];
    for (int v = 1; v < V; v++) mx = l[v] > mx ? l[v] : mx;
    int t = targets[n];
    float target_logit = l[t] - mx;
    float sum = 0;
    for (int v = 0; v < V; v++) sum += (l[v] = expf(l[v] - mx));
    float inv = 1.0f / sum;
    total += log((double)sum) - (double)target_logit;
    for (int v = 0; v < V; v++) l[v] *= inv * scale;
    l[t] -= scale;
  }
  return total;
}
