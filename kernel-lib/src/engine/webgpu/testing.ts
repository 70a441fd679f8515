import { initBackend } from '../start';
import { Gpu, describeGpu, gpuDevice } from './device';

/**
 * What the WebGPU test files share. On a machine without a GPU they run on SwiftShader (Debian's chromium ships
 * it), a CPU emulation: tiny sizes. Each test skips with NO_GPU where there is no adapter at all.
 */
export const NO_GPU =
  'no WebGPU adapter here (the optional webgpu package, or a Vulkan driver / SwiftShader, is missing)';

/** The TF.js backend the tests compare against, and the GPU (a software one too), named once per run. */
export async function openTestGpu(): Promise<Gpu | undefined> {
  await initBackend('wasm');
  const gpu = await gpuDevice({ allowSoftware: true });
  if (gpu) console.log(`# WebGPU tests on ${describeGpu(gpu)}`);
  return gpu;
}
