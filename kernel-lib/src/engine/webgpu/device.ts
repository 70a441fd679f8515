import * as fs from 'node:fs';
import { CharRNNError } from '../../errors';

/**
 * The GPU device the WebGPU engine runs on. In a browser it comes from `navigator.gpu`; in Node from Dawn's binding
 * (npm `webgpu`, an optional dependency: Vulkan on Linux, Metal on macOS, D3D12 on Windows). The engine's kernels
 * only see a GPUDevice, so the same code serves both.
 */
export interface Gpu {
  device: GPUDevice;
  /** What the adapter says of itself: vendor, architecture, device, description. */
  info: { vendor: string; architecture: string; device: string; description: string };
  /** A CPU implementation (SwiftShader, llvmpipe, lavapipe, WARP): correct but slower than our CPU engines. */
  software: boolean;
}

/** Debian's chromium ships SwiftShader, a CPU Vulkan: what tests and a forced engine use on a machine without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

let dawn: GPU | undefined;
let current: Promise<Gpu | undefined> | undefined;
/** The device `current` resolved to, for synchronous naming (gpuName). */
let opened: Gpu | undefined;

/** Dawn's GPU object, or undefined when the optional `webgpu` package is not installed. */
async function dawnGpu(): Promise<GPU | undefined> {
  if (dawn) return dawn;
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    // Named through a variable so that TypeScript does not need the optional package to build.
    const optional = 'webgpu';
    mod = await import(optional);
  } catch {
    return undefined;
  }
  // Dawn's classes (GPUBufferUsage, GPUMapMode, ...) are what WebGPU code reads as globals.
  Object.assign(globalThis, mod.globals);
  dawn = mod.create([]);
  return dawn;
}

/** What an adapter says of itself, and whether that is a software one. */
function describeAdapter(a: GPUAdapter): { info: Gpu['info']; software: boolean } {
  const info = {
    vendor: a.info.vendor,
    architecture: a.info.architecture,
    device: a.info.device,
    description: a.info.description,
  };
  return { info, software: SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`) };
}

/** Where Linux's Vulkan loader looks for drivers (ICD manifests), besides VK_ICD_FILENAMES / VK_DRIVER_FILES. */
const VULKAN_ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

/** False on Linux when no Vulkan driver is declared: Dawn would find no adapter, and print the loader's warnings. */
function vulkanDrivers(): boolean {
  return (
    process.platform !== 'linux' ||
    !!process.env.VK_ICD_FILENAMES ||
    !!process.env.VK_DRIVER_FILES ||
    VULKAN_ICD_DIRS.some((d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.json')))
  );
}

/** Opens the best adapter there is; a software one only when no hardware adapter answers. */
async function open(): Promise<Gpu | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  // No Vulkan driver declared: straight to SwiftShader below, without a first attempt that can only fail.
  let gpu = nav?.gpu ?? (vulkanDrivers() ? await dawnGpu() : undefined);
  let adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  // No GPU driver: fall back to SwiftShader where the machine has it (used only when software is allowed). The Vulkan loader
  // reads VK_ICD_FILENAMES when Dawn creates its instance, so a fresh instance sees it.
  if (!adapter && !nav?.gpu && !process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    dawn = undefined;
    gpu = await dawnGpu();
    adapter = await gpu?.requestAdapter();
  }
  if (!adapter) return undefined;
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 10),
    },
  });
  return (opened = { device, ...describeAdapter(adapter) });
}

/** What `auto` knows of the machine's GPU: the adapter WebGPU offers, or why there is none. */
export type GpuProbe = { adapter: Omit<Gpu, 'device'>; why?: undefined } | { adapter?: undefined; why: string };

let probed: GpuProbe | undefined;

/**
 * Looks once for the adapter WebGPU would give (no device is opened, no SwiftShader fallback): what initBackend()
 * records so that the engine chooser, which is synchronous, can tell a GPU from none or from a software one. On
 * Linux without any Vulkan driver manifest Dawn is not even asked (it would print the Vulkan loader's warnings).
 */
export async function probeGpu(): Promise<GpuProbe> {
  if (probed) return probed;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav?.gpu && !vulkanDrivers()) {
    return (probed = { why: `no Vulkan driver (no manifest in ${VULKAN_ICD_DIRS.join(', ')})` });
  }
  const gpu = nav?.gpu ?? (await dawnGpu());
  if (!gpu) return (probed = { why: 'the optional webgpu package is not installed (npm install webgpu)' });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return (probed = adapter ? { adapter: describeAdapter(adapter) } : { why: 'WebGPU found no adapter' });
}

/** The result of probeGpu(), or undefined before it has run. */
export function probedGpu(): GpuProbe | undefined {
  return probed;
}

/**
 * The shared GPU, opened on first use: undefined when there is no adapter, or only a software one and
 * `allowSoftware` is false (what `auto` asks: a CPU-emulated GPU is slower than our CPU engines).
 */
export function gpuDevice(opts: { allowSoftware?: boolean } = {}): Promise<Gpu | undefined> {
  const allowSoftware = opts.allowSoftware ?? false;
  if (!current) {
    // A lost device (driver reset, destroy()) is forgotten, so that the next request opens a new one.
    const opening = (current = open());
    void opening.then((g) => g?.device.lost.then(() => current === opening && (current = opened = undefined)));
  }
  return current.then((g) => (g && g.software && !allowSoftware ? undefined : g));
}

/** The shared GPU or a CharRNNError saying why there is none. */
export async function requireGpu(): Promise<Gpu> {
  const g = await gpuDevice({ allowSoftware: true });
  if (!g) {
    throw new CharRNNError(
      'no WebGPU adapter: install the optional `webgpu` package (npm install webgpu) and a GPU driver with Vulkan, Metal or D3D12',
    );
  }
  return g;
}

/** Destroys the shared device so the process can exit (Dawn keeps it alive while it is open). */
export async function releaseGpu(): Promise<void> {
  const g = await current;
  g?.device.destroy();
  current = opened = undefined;
  dawn = undefined;
}

/**
 * The GPU the WebGPU engine runs on, for engine lines: the open device, else the adapter initBackend() probed, else
 * what a forced run would get.
 */
export function gpuName(): string {
  const known = opened ?? probed?.adapter;
  return known
    ? describeGpu(known)
    : `a software adapter where one is installed (no GPU: ${probed?.why ?? 'not probed yet'})`;
}

/** "nvidia hopper (NVIDIA H200)" or "google swiftshader (SwiftShader driver 5.0.0), software": for engine lines and the bench. */
export function describeGpu(g: Omit<Gpu, 'device'>): string {
  const what = [g.info.description || g.info.device].filter(Boolean).join(' ');
  return `${g.info.vendor} ${g.info.architecture}${what ? ` (${what})` : ''}${g.software ? ', software' : ''}`;
}
