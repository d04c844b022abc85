/**
 * Finds a WebGPU adapter and opens a device, host-agnostically: `navigator.gpu` where the host has it
 * (a browser, Electron's renderer), else Dawn's Node binding from the `webgpu` package, imported
 * lazily so no host loads a native module it cannot use. In Node the default adapter is tried first
 * (a real GPU through Vulkan/Metal/D3D); where there is none, Dawn's OpenGL ES backend in WebGPU
 * compatibility mode, which on a headless Linux machine runs on Mesa's llvmpipe (correct, slow).
 */
import type { Gpu, GpuAdapter, GpuDevice, GpuLimits } from './gpu-types';

export interface AcquiredDevice {
  readonly device: GpuDevice;
  /** How the adapter was found, for error messages and `tinyflow info`. */
  readonly description: string;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader): correct, but slower than the cpu backend. */
  readonly software: boolean;
}

function isSoftware(adapter: GpuAdapter): boolean {
  const info = adapter.info;
  if (info?.isFallbackAdapter === true) return true;
  const text = [info?.vendor, info?.architecture, info?.device, info?.description].join(' ');
  return /llvmpipe|lavapipe|swiftshader/i.test(text);
}

interface WebGpuModule {
  create(options: string[]): Gpu;
  globals: object;
}

function isWebGpuModule(value: unknown): value is WebGpuModule {
  return typeof value === 'object' && value !== null && 'create' in value && typeof value.create === 'function' && 'globals' in value;
}

function navigatorGpu(): Gpu | undefined {
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  return nav?.gpu ?? undefined;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** Dawn's Node binding; the specifier is a variable so bundlers leave the native module out of web builds. */
async function loadNodeBinding(): Promise<WebGpuModule> {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  // Must be set before Dawn loads libEGL: lets Mesa's EGL run without a display server (headless CI).
  if (env !== undefined) env.EGL_PLATFORM ??= 'surfaceless';
  const specifier = 'webgpu';
  const mod: unknown = await import(/* @vite-ignore */ specifier);
  if (!isWebGpuModule(mod)) throw new Error("the 'webgpu' package does not export create() and globals");
  // Dawn's objects check `instanceof GPUBuffer` etc. against these constructors.
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  return mod;
}

/**
 * Dawn instances, made once per process and kept referenced. A Dawn instance owns native threads and
 * an EGL display; letting one be garbage-collected (a new `create()` per backend) made the process
 * abort intermittently with std::system_error on llvmpipe.
 */
let dawnInstances: Promise<{ native: Gpu; gles: Gpu }> | undefined;

function nodeInstances(): Promise<{ native: Gpu; gles: Gpu }> {
  dawnInstances ??= loadNodeBinding().then((binding) => ({
    native: binding.create([]),
    gles: binding.create(['backend=opengles']),
  }));
  return dawnInstances;
}

async function findAdapter(): Promise<{ adapter: GpuAdapter; description: string }> {
  const gpu = navigatorGpu();
  if (gpu !== undefined) {
    const adapter = (await gpu.requestAdapter()) ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
    if (adapter === null) throw new Error('navigator.gpu exists but offers no adapter');
    return { adapter, description: `navigator.gpu${adapterName(adapter)}` };
  }
  if (!isNode()) throw new Error('WebGPU is not available in this host (no navigator.gpu)');
  const instances = await nodeInstances();
  const native = await instances.native.requestAdapter();
  if (native !== null) return { adapter: native, description: `dawn${adapterName(native)}` };
  const fallback = await instances.gles.requestAdapter({ featureLevel: 'compatibility' });
  if (fallback !== null) return { adapter: fallback, description: `dawn opengles compatibility${adapterName(fallback)}` };
  throw new Error('no WebGPU adapter: Dawn found neither a native GPU adapter nor an OpenGL ES one (install mesa-vulkan-drivers libvulkan1 and set EGL_PLATFORM=surfaceless)');
}

function adapterName(adapter: GpuAdapter): string {
  const info = adapter.info;
  let d = [info?.device, info?.description].filter(Boolean).join(', ');
  // Browsers may blank device and description (Chromium's SwiftShader does); vendor and architecture still say what it is.
  if (!d) d = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
  return d ? ` (${d})` : '';
}

/**
 * The limits this backend relies on. Compatibility mode's defaults are low (128 invocations per
 * workgroup, 4 storage buffers per stage), so everything used is requested explicitly, clipped to
 * what the adapter offers.
 */
function requiredLimits(l: GpuLimits): Partial<Record<keyof GpuLimits, number>> {
  return {
    maxBufferSize: l.maxBufferSize,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: Math.min(8, l.maxStorageBuffersPerShaderStage),
    maxComputeInvocationsPerWorkgroup: Math.min(256, l.maxComputeInvocationsPerWorkgroup),
    maxComputeWorkgroupSizeX: Math.min(256, l.maxComputeWorkgroupSizeX),
    maxComputeWorkgroupSizeY: Math.min(256, l.maxComputeWorkgroupSizeY),
    maxComputeWorkgroupStorageSize: Math.min(16384, l.maxComputeWorkgroupStorageSize),
  };
}

export async function acquireDevice(): Promise<AcquiredDevice> {
  const { adapter, description } = await findAdapter();
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter.limits), label: 'tinyflow' });
  return { device, description, software: isSoftware(adapter) };
}
