import { Gpu } from './device';
import { COPY, Kernel, MATMUL, ONE_HOT } from './shaders';

/** Bytes between two uniform blocks: WebGPU's minUniformBufferOffsetAlignment. */
const UNIFORM_STRIDE = 256;
/** A dimension of a dispatch stops at 65,535 workgroups. */
const MAX_GROUPS = 65535;

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function pipeline(device: GPUDevice, code: string): GPUComputePipeline {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(code);
  if (!p) {
    p = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
    });
    cache.set(code, p);
  }
  return p;
}

type Op =
  | { kind: 'dispatch'; code: string; params: number[]; buffers: GPUBuffer[]; groups: [number, number] }
  | { kind: 'clear'; buffer: GPUBuffer };

/** One operand of a product: a buffer, the element offset of its first row, its row stride, and transposed or not. */
export interface Operand {
  buf: GPUBuffer;
  off?: number;
  ld: number;
  trans?: boolean;
}

/** The bits of a float32, for kernel parameters (the uniform block holds u32s; kernels bitcast them back). */
export function f32bits(x: number): number {
  return new Uint32Array(Float32Array.of(x).buffer)[0];
}

/**
 * The commands of one piece of work (a training iteration, a forward pass), recorded and then sent as ONE command
 * buffer with one compute pass, with nothing read back in between. All parameters go into one uniform buffer
 * (one 256-byte block per dispatch). `compile()` keeps the work as a program sent again and again (one training
 * iteration per send: what changes between iterations lives in buffers written before each send). Buffers made
 * through `buffer()` live until `destroy()`.
 */
export class Commands {
  private ops: Op[] = [];
  private owned: GPUBuffer[] = [];

  constructor(readonly gpu: Gpu) {}

  /** A storage buffer of `n` floats (zeros), or holding `data`; freed by destroy(). */
  buffer(data: number | Float32Array | Uint32Array): GPUBuffer {
    const bytes = Math.max(4, (typeof data === 'number' ? data : data.length) * 4);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buf = this.gpu.device.createBuffer({ size: bytes, usage });
    if (typeof data !== 'number' && data.length) this.gpu.device.queue.writeBuffer(buf, 0, data);
    this.owned.push(buf);
    return buf;
  }

  /** Writes `data` at element offset `off` of `buf` before the recorded commands run. */
  write(buf: GPUBuffer, off: number, data: Float32Array | Uint32Array): void {
    this.gpu.device.queue.writeBuffer(buf, off * 4, data);
  }

  clear(buffer: GPUBuffer): void {
    this.ops.push({ kind: 'clear', buffer });
  }

  /** One dispatch of `kernel` over `threads` threads in 64-thread groups (a 2-D grid past 65,535 groups). */
  elementwise<P extends string>(kernel: Kernel<P>, params: Record<P, number>, buffers: GPUBuffer[], threads: number) {
    this.dispatch(kernel, params, buffers, gridOf(Math.ceil(threads / 64)));
  }

  /** One group per row, `rows` rows. */
  rows<P extends string>(kernel: Kernel<P>, params: Record<P, number>, buffers: GPUBuffer[], rows: number): void {
    this.dispatch(kernel, params, buffers, gridOf(rows));
  }

  /** C[M, N] = op(A) op(B), or C += op(A) op(B) with `accumulate`. */
  matmul(M: number, N: number, K: number, A: Operand, B: Operand, C: Operand, { accumulate = false } = {}): void {
    const flags = (A.trans ? 1 : 0) | (B.trans ? 2 : 0) | (accumulate ? 4 : 0);
    const [offA, offB, offC] = [A.off ?? 0, B.off ?? 0, C.off ?? 0];
    const params = { M, N, K, flags, offA, offB, offC, lda: A.ld, ldb: B.ld, ldc: C.ld };
    this.dispatch(MATMUL, params, [A.buf, B.buf, C.buf], [Math.ceil(N / 64), Math.ceil(M / 64)]);
  }

  /** out[offOut ..] = x[offX ..] (times mask m when given), count elements. */
  copy(count: number, x: GPUBuffer, offX: number, out: GPUBuffer, offOut: number, mask?: GPUBuffer): void {
    this.elementwise(COPY, { count, offX, offOut, mode: mask ? 1 : 0, n: 0 }, [x, mask ?? x, out], count);
  }

  /** Every row of out [rows, n] = the n values of x from element offset offX (a bias). */
  broadcastRows(x: GPUBuffer, offX: number, n: number, out: GPUBuffer, rows: number): void {
    this.elementwise(COPY, { count: rows * n, offX, offOut: 0, mode: 2, n }, [x, x, out], rows * n);
  }

  /** out [N, V] = one-hot rows of ids [N]. */
  oneHot(ids: GPUBuffer, N: number, V: number, out: GPUBuffer): void {
    this.elementwise(ONE_HOT, { N, V }, [ids, out], N * V);
  }

  /** Queues a dispatch, its parameters laid out in the order of the kernel's struct. */
  private dispatch<P extends string>(
    kernel: Kernel<P>,
    params: Record<P, number>,
    buffers: GPUBuffer[],
    groups: [number, number],
  ): void {
    const values = kernel.params.map((name) => params[name]);
    this.ops.push({ kind: 'dispatch', code: kernel.code, params: values, buffers, groups });
  }

  /** Encodes and submits everything recorded so far as one command buffer. */
  submit(): void {
    this.compile()();
  }

  /**
   * Everything recorded so far as a program: a function that encodes it into one command buffer and submits it,
   * as often as called. The uniform block and the bind groups are made once, here.
   */
  compile(): () => void {
    const device = this.gpu.device;
    const ops = this.ops;
    this.ops = [];
    const dispatches = ops.filter((o): o is Extract<Op, { kind: 'dispatch' }> => o.kind === 'dispatch');
    const uniforms = device.createBuffer({
      size: Math.max(1, dispatches.length) * UNIFORM_STRIDE,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(uniforms);
    const block = new Uint32Array((dispatches.length * UNIFORM_STRIDE) / 4);
    dispatches.forEach((d, i) => block.set(d.params, (i * UNIFORM_STRIDE) / 4));
    device.queue.writeBuffer(uniforms, 0, block);
    let slot = 0;
    const steps = ops.map((op) => {
      if (op.kind === 'clear') return op;
      const p = pipeline(device, op.code);
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: uniforms, offset: slot++ * UNIFORM_STRIDE, size: 64 } },
      ];
      op.buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
      return {
        pipeline: p,
        bindGroup: device.createBindGroup({ layout: p.getBindGroupLayout(0), entries }),
        groups: op.groups,
      };
    });
    return () => {
      const encoder = device.createCommandEncoder();
      let pass: GPUComputePassEncoder | undefined;
      for (const s of steps) {
        if ('kind' in s) {
          pass?.end();
          pass = undefined;
          encoder.clearBuffer(s.buffer);
          continue;
        }
        pass ??= encoder.beginComputePass();
        pass.setPipeline(s.pipeline);
        pass.setBindGroup(0, s.bindGroup);
        pass.dispatchWorkgroups(s.groups[0], s.groups[1]);
      }
      pass?.end();
      device.queue.submit([encoder.finish()]);
    };
  }

  /** Reads `count` floats from element offset `off` of `buf`, after everything submitted so far. */
  async read(buf: GPUBuffer, off: number, count: number): Promise<Float32Array> {
    const device = this.gpu.device;
    const staging = device.createBuffer({
      size: Math.max(4, count * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buf, off * 4, staging, 0, count * 4);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Frees every buffer this object made. */
  destroy(): void {
    this.owned.forEach((b) => b.destroy());
    this.owned = [];
  }
}

function gridOf(groups: number): [number, number] {
  return groups <= MAX_GROUPS ? [Math.max(1, groups), 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS)];
}
