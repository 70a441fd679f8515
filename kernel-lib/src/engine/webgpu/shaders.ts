import { CellType, GATES } from '../../model/config';
import type { OptimizerName } from '../optimizer';

/**
 * The WGSL kernels of the WebGPU engine. Hand-written rather than TF.js's webgpu backend because a char-RNN
 * iteration is thousands of small dispatches: TF.js would run each step's gate math as ~15 separate ops with their
 * own buffers and synchronisation, where one fused kernel per step does it in one pass over [B, H]; and it cannot
 * keep a whole iteration in one command buffer without reading back.
 *
 * Every kernel reads its sizes and element offsets from one uniform struct `p` of named u32 fields (at most 16;
 * f32 values travel as their bits and are bitcast back), so a single buffer can hold all T steps and a kernel
 * addresses step t by offset (storage-binding offsets must be 256-byte aligned, element offsets need not be).
 * Elementwise kernels run 64 threads a group over a 2-D grid of groups, since one dimension stops at 65,535 groups.
 */

/** A kernel's WGSL and the names of its parameters, in the order of its struct `p`; Commands packs them by name. */
export interface Kernel<P extends string = string> {
  code: string;
  params: readonly P[];
}

/** A kernel whose struct `p` has one u32 field per name in `params`, followed by `body`. */
function kernel<P extends string>(params: readonly P[], body: string): Kernel<P> {
  const fields = params.map((name) => `${name}: u32`).join(', ');
  return { code: `struct Params { ${fields} }\n@group(0) @binding(0) var<uniform> p: Params;${body}`, params };
}

/** Shared helpers: the flat index of a thread in a 2-D grid of 64-thread groups, and saturating activations. */
const HELPERS = `
fn flat(id: vec3u, groups: vec3u) -> u32 { return id.x + id.y * groups.x * 64u; }
fn sig(x: f32) -> f32 { return 1.0 / (1.0 + exp(-clamp(x, -30.0, 30.0))); }
// tanh from one exp of a non-positive number: exact at large |x|, where a naive (e^x - e^-x) / (...) gives NaN.
fn th(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(-t, t, x >= 0.0); }`;

/**
 * C[M, N] (+)= op(A)[M, K] op(B)[K, N] at element offsets, with leading dimensions (row strides), so that
 * sub-blocks (the recurrent rows of a kernel, the n columns of a GRU gradient) need no copies.
 * flags: 1 = A transposed, 2 = B transposed, 4 = accumulate into C.
 * Hand-written because it is the engine's hot spot: each 16x16 group computes a 64x64 tile of C, 4x4 outputs per
 * thread from 64x16 and 16x64 tiles staged in workgroup memory; edges of any shape are handled by zero padding.
 */
export const MATMUL = kernel(
  ['M', 'N', 'K', 'flags', 'offA', 'offB', 'offC', 'lda', 'ldb', 'ldc'],
  `
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<f32, 1024>; // [16][64]: As[k * 64 + i]
var<workgroup> Bs: array<f32, 1024>; // [16][64]: Bs[k * 64 + j]
fn a(i: u32, k: u32) -> f32 {
  if (i >= p.M || k >= p.K) { return 0.0; }
  if ((p.flags & 1u) != 0u) { return A[p.offA + k * p.lda + i]; }
  return A[p.offA + i * p.lda + k];
}
fn b(k: u32, j: u32) -> f32 {
  if (k >= p.K || j >= p.N) { return 0.0; }
  if ((p.flags & 2u) != 0u) { return B[p.offB + j * p.ldb + k]; }
  return B[p.offB + k * p.ldb + j];
}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += 16u) {
    for (var e = 0u; e < 4u; e++) {
      let idx = tid + e * 256u;
      As[idx] = a(row0 + idx % 64u, k0 + idx / 64u);
      Bs[idx] = b(k0 + idx / 64u, col0 + idx % 64u);
    }
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      var av: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) { av[r] = As[k * 64u + lid.y + r * 16u]; }
      for (var c = 0u; c < 4u; c++) {
        let bv = Bs[k * 64u + lid.x + c * 16u];
        for (var r = 0u; r < 4u; r++) { acc[r * 4u + c] += av[r] * bv; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      let i = row0 + lid.y + r * 16u;
      let j = col0 + lid.x + c * 16u;
      if (i < p.M && j < p.N) {
        let o = p.offC + i * p.ldc + j;
        if ((p.flags & 4u) != 0u) { C[o] += acc[r * 4u + c]; } else { C[o] = acc[r * 4u + c]; }
      }
    }
  }
}`,
);

/** out[n, :] = onehot(ids[n]) for n < N. */
export const ONE_HOT = kernel(
  ['N', 'V'],
  `${HELPERS}
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(id, groups);
  if (i >= p.N * p.V) { return; }
  out[i] = select(0.0, 1.0, ids[i / p.V] == i % p.V);
}`,
);

/**
 * out[offOut + i] = x[offX + i] * (mask ? m[i] : 1) for i < count; also rows of a bias: out[i] = x[offX + i % n].
 * mode: 0 copy, 1 times the mask, 2 broadcast the n values of x from offX over rows.
 */
export const COPY = kernel(
  ['count', 'offX', 'offOut', 'mode', 'n'],
  `${HELPERS}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(id, groups);
  if (i >= p.count) { return; }
  var v: f32;
  if (p.mode == 2u) { v = x[p.offX + i % p.n]; } else { v = x[p.offX + i]; }
  if (p.mode == 1u) { v *= m[i]; }
  out[p.offOut + i] = v;
}`,
);

/**
 * Softmax cross-entropy fused with its gradient, one 64-thread group per row of logits [N, V]: loss[n] =
 * logsumexp(row) - row[y[n]], and the row is overwritten by (softmax - onehot(y)) / N.
 */
export const CROSS_ENTROPY = kernel(
  ['N', 'V'],
  `
@group(0) @binding(1) var<storage, read> y: array<u32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
var<workgroup> red: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = wg.x + wg.y * groups.x;
  let V = p.V;
  let live = n < p.N;
  let row = min(n, p.N - 1u) * V;
  var mx = -3.0e38;
  for (var j = lid.x; j < V; j += 64u) { mx = max(mx, z[row + j]); }
  red[lid.x] = mx;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { red[lid.x] = max(red[lid.x], red[lid.x + s]); }
    workgroupBarrier();
  }
  mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = lid.x; j < V; j += 64u) { sum += exp(z[row + j] - mx); }
  red[lid.x] = sum;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { red[lid.x] += red[lid.x + s]; }
    workgroupBarrier();
  }
  sum = red[0];
  if (!live) { return; }
  let yn = y[n];
  if (lid.x == 0u) { loss[n] = log(sum) + mx - z[row + yn]; }
  let scale = 1.0 / f32(p.N);
  for (var j = lid.x; j < V; j += 64u) {
    z[row + j] = (exp(z[row + j] - mx) / sum - select(0.0, 1.0, j == yn)) * scale;
  }
}`,
);

/**
 * One step of a layer, forward, fused per cell: reads xw (step t's rows of X W_x + b, all T steps in one buffer) and
 * hw = h_{t-1} W_h [B, G*H]; writes the gate activations into z (step t's rows), h_t and (LSTM) c_t into hs/cs at
 * row block t + 1 (block 0 holds the state the batch started from), and (GRU) h_{t-1} W_hn + b_hn into hn.
 * Parameters B, H, t, and (GRU) offBhn, the element offset of b_hn in bhn. Gate order as every engine: lstm i,f,g,o;
 * gru r,z,n.
 */
/** The bindings every cell's forward step has: xw, hw, the gates z and the h of every step. */
const FORWARD_IO = `
@group(0) @binding(1) var<storage, read> xw: array<f32>;
@group(0) @binding(2) var<storage, read> hw: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
@group(0) @binding(4) var<storage, read_write> hs: array<f32>;`;

const FORWARD: Record<CellType, string> = {
  rnn: `${FORWARD_IO}
fn step(b: u32, j: u32, H: u32, row: u32, cur: u32, prev: u32) {
  let h = th(xw[row + j] + hw[b * H + j]);
  z[row + j] = h;
  hs[cur] = h;
}`,
  lstm: `${FORWARD_IO}
@group(0) @binding(5) var<storage, read_write> cs: array<f32>;
fn step(b: u32, j: u32, H: u32, row: u32, cur: u32, prev: u32) {
  let g4 = b * 4u * H;
  let i = sig(xw[row + j] + hw[g4 + j]);
  let f = sig(xw[row + H + j] + hw[g4 + H + j]);
  let g = th(xw[row + 2u * H + j] + hw[g4 + 2u * H + j]);
  let o = sig(xw[row + 3u * H + j] + hw[g4 + 3u * H + j]);
  let c = f * cs[prev] + i * g;
  cs[cur] = c;
  hs[cur] = o * th(c);
  z[row + j] = i; z[row + H + j] = f; z[row + 2u * H + j] = g; z[row + 3u * H + j] = o;
}`,
  gru: `${FORWARD_IO}
@group(0) @binding(5) var<storage, read_write> hn: array<f32>;
@group(0) @binding(6) var<storage, read> bhn: array<f32>;
fn step(b: u32, j: u32, H: u32, row: u32, cur: u32, prev: u32) {
  let g3 = b * 3u * H;
  let r = sig(xw[row + j] + hw[g3 + j]);
  let u = sig(xw[row + H + j] + hw[g3 + H + j]);
  let nh = hw[g3 + 2u * H + j] + bhn[p.offBhn + j];
  let n = th(xw[row + 2u * H + j] + r * nh);
  hn[prev] = nh;
  hs[cur] = n + u * (hs[prev] - n);
  z[row + j] = r; z[row + H + j] = u; z[row + 2u * H + j] = n;
}`,
};

/**
 * One step of a layer, backward, fused per cell. dh = dha (d loss / d h_t from above, step t's rows) + dhn
 * (d loss / d h_t through step t+1, [B, H]); writes d loss / d (x W_x + b) into dxw (step t's rows), for GRU also
 * d loss / d (h W_h) into dhw (its n part is r times dxw's) and the direct part dh * z into dhn, and for LSTM the
 * cell gradient dc in place. Parameters B, H, t.
 */
/** The bindings every cell's backward step has: the gates z, dh from above, dh through step t+1, and dxw. */
const BACKWARD_IO = `
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> dha: array<f32>;
@group(0) @binding(3) var<storage, read_write> dhn: array<f32>;
@group(0) @binding(4) var<storage, read_write> dxw: array<f32>;`;

const BACKWARD: Record<CellType, string> = {
  rnn: `${BACKWARD_IO}
fn step(b: u32, j: u32, H: u32, row: u32, at: u32) {
  let h = z[row + j];
  dxw[row + j] = (dha[at] + dhn[b * H + j]) * (1.0 - h * h);
}`,
  lstm: `${BACKWARD_IO}
@group(0) @binding(5) var<storage, read> cs: array<f32>;
@group(0) @binding(6) var<storage, read_write> dcn: array<f32>;
fn step(b: u32, j: u32, H: u32, row: u32, at: u32) {
  let i = z[row + j]; let f = z[row + H + j]; let g = z[row + 2u * H + j]; let o = z[row + 3u * H + j];
  let dh = dha[at] + dhn[b * H + j];
  let tc = th(cs[at + p.B * H]);
  let dc = dh * o * (1.0 - tc * tc) + dcn[b * H + j];
  dxw[row + j] = dc * g * i * (1.0 - i);
  dxw[row + H + j] = dc * cs[at] * f * (1.0 - f);
  dxw[row + 2u * H + j] = dc * i * (1.0 - g * g);
  dxw[row + 3u * H + j] = dh * tc * o * (1.0 - o);
  dcn[b * H + j] = dc * f;
}`,
  gru: `${BACKWARD_IO}
@group(0) @binding(5) var<storage, read> hs: array<f32>;
@group(0) @binding(6) var<storage, read> hn: array<f32>;
@group(0) @binding(7) var<storage, read_write> dhw: array<f32>;
fn step(b: u32, j: u32, H: u32, row: u32, at: u32) {
  let r = z[row + j]; let u = z[row + H + j]; let n = z[row + 2u * H + j];
  let dh = dha[at] + dhn[b * H + j];
  let dn = dh * (1.0 - u) * (1.0 - n * n);
  let dr = dn * hn[at] * r * (1.0 - r);
  let du = dh * (hs[at] - n) * u * (1.0 - u);
  dxw[row + j] = dr; dxw[row + H + j] = du; dxw[row + 2u * H + j] = dn;
  dhw[row + j] = dr; dhw[row + H + j] = du; dhw[row + 2u * H + j] = dn * r;
  dhn[b * H + j] = dh * u;
}`,
};

/**
 * A step kernel of a cell: thread (b, j) of [B, H]; `call` is its step() with the indices it takes (row: step t's
 * gate row of stream b; forward: h_t and h_{t-1} in hs/cs; backward: step t's [B, H] element).
 */
function stepKernel<P extends string>(params: readonly P[], cell: CellType, body: string, call: string): Kernel<P> {
  return kernel(
    params,
    `${HELPERS}${body}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let B = p.B; let H = p.H; let t = p.t;
  let n = flat(id, groups);
  if (n >= B * H) { return; }
  let b = n / H; let j = n % H;
  let G = ${GATES[cell]}u;
  ${call}
}`,
  );
}

/** The forward step kernel of a cell. */
export function forwardShader(cell: CellType) {
  return stepKernel(
    ['B', 'H', 't', 'offBhn'],
    cell,
    FORWARD[cell],
    'step(b, j, H, (t * B + b) * G * H, ((t + 1u) * B + b) * H + j, (t * B + b) * H + j);',
  );
}

/** The backward step kernel of a cell: `at` indexes step t's [B, H] rows (dha, hn; and h_{t-1}, c_{t-1} in hs, cs). */
export function backwardShader(cell: CellType) {
  return stepKernel(['B', 'H', 't'], cell, BACKWARD[cell], 'step(b, j, H, (t * B + b) * G * H, (t * B + b) * H + j);');
}

/** The 32-bit PCG hash (Jarzynski and Olano, "Hash Functions for GPU Rendering", 2020). */
const PCG = `
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}`;

/**
 * Inverted-dropout mask [count]: out[i] = 1/(1-q) where u >= q, else 0, with u uniform in [0, 1) from a counter-based
 * RNG: the PCG hash chained over (seed, iteration, layer, i). Hand-written because a counter-based mask is a pure
 * function of its key: drawn on the GPU with nothing uploaded, identical for the same seed on any GPU, and the
 * backward pass reads the very mask the forward pass used. step holds [seed, iteration, ...].
 * Parameters: count, layer (the key's layer part), q and keep = 1/(1-q) (f32 bits).
 */
export const DROPOUT_MASK = kernel(
  ['count', 'layer', 'q', 'keep'],
  `${HELPERS}${PCG}
@group(0) @binding(1) var<storage, read> step: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(id, groups);
  if (i >= p.count) { return; }
  let h = pcg(i + pcg(p.layer + pcg(step[1] + pcg(step[0]))));
  let u = f32(h >> 8u) * (1.0 / 16777216.0);
  out[i] = select(0.0, bitcast<f32>(p.keep), u >= bitcast<f32>(p.q));
}`,
);

/**
 * Sum (plain = 1) or sum of squares (plain = 0) of x[0, count) in two passes: each 256-thread group reduces a strided
 * share into out[group]; a second dispatch of one group with plain = 1 sums those partials. Hand-written so that the
 * global gradient norm of clipping never leaves the GPU.
 */
export const SUM_SQUARES = kernel(
  ['count', 'plain'],
  `
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  var s = 0.0;
  for (var i = wg.x * 256u + lid.x; i < p.count; i += groups.x * 256u) {
    let v = x[i];
    s += select(v * v, v, p.plain == 1u);
  }
  red[lid.x] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid.x < k) { red[lid.x] += red[lid.x + k]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[wg.x] = red[0]; }
}`,
);

/**
 * Clipping and the optimizer update of every parameter in one pass over the flat buffers of weights w, gradients g and
 * slots (RMSProp: ms; Adam: m, v), the same formulas, in the same order, as ../optimizer.ts:
 *   clip: none (0), elementwise to [-c, c] (1), or times c / |g| when the global norm |g| > c (2; norm2 = |g|^2);
 *   RMSProp: ms = a1 ms + (1 - a1) g^2; w -= lr g / (sqrt(ms) + eps)
 *   Adam: m = a1 m + (1 - a1) g; v = a2 v + (1 - a2) g^2; w -= m (lr / c1) / (sqrt(v / c2) + eps)
 * Hand-written because it fuses clipping and the update into one dispatch instead of ~10 elementwise ops per
 * parameter tensor. step holds [seed, iteration, lr (or lr / c1 for Adam), c2] (f32 bits after the first two).
 * Parameters: count, clip (the mode), then as f32 bits c, a1, b1 = 1 - a1, a2, b2 = 1 - a2, eps.
 */
const UPDATE_PARAMS = ['count', 'clip', 'c', 'a1', 'b1', 'a2', 'b2', 'eps'] as const;

export function updateShader(optimizer: OptimizerName): Kernel<(typeof UPDATE_PARAMS)[number]> {
  const adam = optimizer === 'adam';
  return kernel(
    UPDATE_PARAMS,
    `${HELPERS}
@group(0) @binding(1) var<storage, read> step: array<u32>;
@group(0) @binding(2) var<storage, read> norm2: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> w: array<f32>;
@group(0) @binding(5) var<storage, read_write> s1: array<f32>;
${adam ? '@group(0) @binding(6) var<storage, read_write> s2: array<f32>;' : ''}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat(id, groups);
  if (i >= p.count) { return; }
  let c = bitcast<f32>(p.c);
  var gi = g[i];
  if (p.clip == 1u) { gi = clamp(gi, -c, c); }
  if (p.clip == 2u) { let n = sqrt(norm2[0]); if (n > c) { gi = gi * (c / n); } }
  let lr = bitcast<f32>(step[2]);
  let eps = bitcast<f32>(p.eps);
${
  adam
    ? `  let m = s1[i] * bitcast<f32>(p.a1) + gi * bitcast<f32>(p.b1);
  let v = s2[i] * bitcast<f32>(p.a2) + gi * gi * bitcast<f32>(p.b2);
  s1[i] = m;
  s2[i] = v;
  w[i] = w[i] - (m * lr) / (sqrt(v / bitcast<f32>(step[3])) + eps);`
    : `  let ms = s1[i] * bitcast<f32>(p.a1) + gi * gi * bitcast<f32>(p.b1);
  s1[i] = ms;
  w[i] = w[i] - (gi * lr) / (sqrt(ms) + eps);`
}
}`,
  );
}
