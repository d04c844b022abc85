/**
 * The slice of the WebGPU API this backend uses, declared locally. `@webgpu/types` declares everything
 * as globals, and importing it (directly or through the `webgpu` package's typings) would put those
 * globals into the whole project's type scope; two copies of it are also installed at different
 * versions. These structural declarations match both `navigator.gpu` and Dawn's Node binding.
 */

export interface GpuLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeWorkgroupStorageSize: number;
}

export interface GpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface GpuRequestAdapterOptions {
  powerPreference?: 'low-power' | 'high-performance';
  /** 'compatibility' admits OpenGL ES-class adapters (Dawn's GLES backend on llvmpipe, for one). */
  featureLevel?: 'core' | 'compatibility';
}

export interface Gpu {
  requestAdapter(options?: GpuRequestAdapterOptions): Promise<GpuAdapter | null>;
}

export interface GpuAdapter {
  readonly limits: GpuLimits;
  readonly info?: GpuAdapterInfo;
  requestDevice(descriptor?: { requiredLimits?: Partial<Record<keyof GpuLimits, number>>; label?: string }): Promise<GpuDevice>;
}

export interface GpuDeviceLostInfo {
  readonly reason: 'unknown' | 'destroyed';
  readonly message: string;
}

export interface GpuError {
  readonly message: string;
}

export interface GpuDevice {
  readonly limits: GpuLimits;
  readonly queue: GpuQueue;
  readonly lost: Promise<GpuDeviceLostInfo>;
  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean; label?: string }): GpuBuffer;
  createShaderModule(descriptor: { code: string; label?: string }): GpuShaderModule;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: GpuShaderModule; entryPoint: string };
    label?: string;
  }): GpuComputePipeline;
  createBindGroup(descriptor: {
    layout: GpuBindGroupLayout;
    entries: readonly { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[];
  }): GpuBindGroup;
  createCommandEncoder(): GpuCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<GpuError | null>;
  addEventListener(type: 'uncapturederror', listener: (event: { readonly error: GpuError }) => void): void;
  destroy(): void;
}

export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuQueue {
  submit(commandBuffers: readonly GpuCommandBuffer[]): void;
  writeBuffer(buffer: GpuBuffer, bufferOffset: number, data: ArrayBufferView, dataOffset?: number, size?: number): void;
  onSubmittedWorkDone(): Promise<void>;
}

export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePassEncoder;
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void;
  finish(): GpuCommandBuffer;
}

export interface GpuComputePassEncoder {
  setPipeline(pipeline: GpuComputePipeline): void;
  setBindGroup(index: number, bindGroup: GpuBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/* eslint-disable @typescript-eslint/no-empty-object-type -- opaque handles: only passed back to the API. */
export interface GpuShaderModule {}
export interface GpuCommandBuffer {}
export interface GpuBindGroup {}
export interface GpuBindGroupLayout {}
/* eslint-enable @typescript-eslint/no-empty-object-type */

export interface GpuComputePipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}

/** GPUBufferUsage and GPUMapMode flags (spec constants; not every host defines the globals). */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;
