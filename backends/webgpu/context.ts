/**
 * The device-side machinery shared by every kernel: pipelines cached by key, pooled buffers, and the
 * command batching that makes a step cheap. Kernel calls record into ONE command encoder, opened on
 * the first kernel call and submitted only by `read` or `flush`, so a training step that fetches
 * nothing never waits on the GPU. Device loss and deferred allocation failures turn every later call
 * into a clear Error instead of a hang or silently wrong numbers.
 */
import {
  BufferUsage, MapMode,
  type GpuBuffer, type GpuCommandEncoder, type GpuComputePassEncoder, type GpuComputePipeline, type GpuDevice, type GpuError,
} from './gpu-types';
import { BufferPool } from './pool';

export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
const PARAMS_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST;
const STAGING_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;

export class GpuContext {
  /** 1-D workgroup size: within compatibility mode's requested limits, a multiple of 32. */
  readonly workgroupSize: number;
  /** Edge of a square matmul tile (tile² invocations per workgroup). */
  readonly tile: number;
  readonly maxBufferBytes: number;
  readonly storage: BufferPool;
  private readonly params: BufferPool;
  private readonly staging: BufferPool;
  private readonly pipelines = new Map<string, GpuComputePipeline>();
  private encoder: GpuCommandEncoder | null = null;
  private pass: GpuComputePassEncoder | null = null;
  /** Params buffers referenced by the open encoder: reusable once it is submitted (queue order). */
  private paramsInFlight: GpuBuffer[] = [];
  private failure: Error | null = null;
  /** The most recent buffer creation, named in an out-of-memory error. */
  private lastCreated = 'no buffer yet';
  /** Buffers created inside the open error scope, named if it reports out-of-memory. */
  private createdInScope: string[] = [];
  private disposed = false;
  /** Resolves with the loss message when the device is lost (never rejects). */
  readonly lost: Promise<string>;
  /** Counters the batching tests read. */
  readonly stats = { submits: 0, mapAsyncCalls: 0, dispatches: 0, pipelinesCompiled: 0 };

  constructor(readonly device: GpuDevice, readonly description: string, readonly software = false) {
    const limits = device.limits;
    this.workgroupSize = Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
    this.tile = this.workgroupSize >= 256 && limits.maxComputeWorkgroupSizeY >= 16 ? 16 : 8;
    this.maxBufferBytes = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    this.storage = new BufferPool((size, usage) => this.createBuffer(size, usage, 'tensor'), this.maxBufferBytes);
    this.params = new BufferPool((size, usage) => this.createBuffer(size, usage, 'params'), this.maxBufferBytes);
    this.staging = new BufferPool((size, usage) => this.createBuffer(size, usage, 'staging'), this.maxBufferBytes);
    this.lost = device.lost.then((info) => {
      const reason = info.message || info.reason;
      if (!this.disposed) this.failure ??= new Error(`webgpu device lost: ${reason}`);
      return reason;
    });
    // Errors outside the allocation scope (a kernel bug, OOM in a queue write) arrive here; the next call throws.
    device.addEventListener('uncapturederror', (event) => this.onUncapturedError(event.error));
  }

  /** An error no scope caught: out-of-memory becomes the backend's failure; others are kernel bugs, also fatal. */
  onUncapturedError(error: GpuError): void {
    if (this.disposed) return;
    const kind = error.constructor.name;
    this.failure ??= kind === 'GPUOutOfMemoryError'
      ? new Error(`webgpu alloc: out of memory after creating a ${this.lastCreated} (device limit ${this.maxBufferBytes} bytes per buffer): ${error.message}`)
      : new Error(`webgpu: ${kind}: ${error.message}`);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws the device loss or a deferred allocation failure; every backend entry point calls it. */
  check(method: string): void {
    if (this.disposed) throw new Error(`webgpu ${method}: backend has been disposed`);
    if (this.failure !== null) throw this.failure;
  }

  private createBuffer(size: number, usage: number, role: string): GpuBuffer {
    if (size > this.maxBufferBytes) {
      throw new Error(`webgpu alloc: a ${role} buffer of ${size} bytes exceeds the device limit of ${this.maxBufferBytes} bytes`);
    }
    // One 'out-of-memory' scope spans the creations since the last read, which pops it (checkAllocations).
    if (this.createdInScope.length === 0) this.device.pushErrorScope('out-of-memory');
    this.createdInScope.push(`a ${role} buffer of ${size} bytes`);
    this.lastCreated = `${role} buffer of ${size} bytes`;
    try {
      return this.device.createBuffer({ size, usage, label: role });
    } catch (error) {
      // Most failures arrive through the error scope, but a binding may also throw here (the spec's
      // RangeError cases, a native binding's own checks), and that message names neither buffer nor limit.
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`webgpu alloc: creating a ${role} buffer of ${size} bytes failed (device limit ${this.maxBufferBytes} bytes per buffer): ${why}`);
    }
  }

  /**
   * Pops the allocation scope and turns an out-of-memory error into a failure naming the buffers and
   * the limit. One scope per read keeps it cheap; a pop never overlaps another, and it settles before
   * the read maps its staging buffer.
   */
  private async checkAllocations(): Promise<void> {
    if (this.createdInScope.length === 0) return;
    const created = this.createdInScope.splice(0);
    const error = await this.device.popErrorScope().catch(() => null);
    if (error !== null) {
      this.failure ??= new Error(
        `webgpu alloc: out of memory creating ${created.join(', ')} (device limit ${this.maxBufferBytes} bytes per buffer): ${error.message}`,
      );
    }
  }

  pipeline(key: string, code: () => string): GpuComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (pipeline === undefined) {
      const module = this.device.createShaderModule({ code: code(), label: key });
      pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, pipeline);
      this.stats.pipelinesCompiled++;
    }
    return pipeline;
  }

  /**
   * Records one dispatch: `buffers` bind to 0..n-1 in order and the params (small i32 words) to n.
   * `groups` is a workgroup count; counts over the per-dimension limit fold into y (kernels rebuild
   * the linear id from num_workgroups).
   */
  dispatch(pipeline: GpuComputePipeline, buffers: readonly GpuBuffer[], params: Int32Array, groups: readonly [number, number?, number?]): void {
    const paramsBuffer = this.params.take(Math.max(params.byteLength, 16), PARAMS_USAGE);
    this.device.queue.writeBuffer(paramsBuffer, 0, params);
    this.paramsInFlight.push(paramsBuffer);
    const entries = [...buffers, paramsBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.openPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    this.stats.dispatches++;
  }

  /** A 1-D grid of `count` invocations, folded into two dimensions past the per-dimension limit. */
  grid(count: number, perGroup = this.workgroupSize): [number, number] {
    const groups = Math.max(1, Math.ceil(count / perGroup));
    const x = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    return [x, Math.ceil(groups / x)];
  }

  private openEncoder(): GpuCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  private openPass(): GpuComputePassEncoder {
    this.pass ??= this.openEncoder().beginComputePass();
    return this.pass;
  }

  private closePass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits the recorded work without waiting for it. */
  flush(): void {
    if (this.encoder === null) return;
    this.closePass();
    const commands = this.encoder.finish();
    this.encoder = null;
    this.device.queue.submit([commands]);
    this.stats.submits++;
    for (const b of this.paramsInFlight.splice(0)) this.params.give(b, PARAMS_USAGE);
  }

  /**
   * Host data into a buffer, in call order: queue writes run before any unsubmitted commands, so
   * work recorded earlier is submitted first.
   */
  write(buffer: GpuBuffer, data: ArrayBufferView): void {
    this.flush();
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, data);
  }

  /** The first `bytes` of a buffer after all recorded work: one copy into a pooled MAP_READ buffer. */
  async read(buffer: GpuBuffer, bytes: number): Promise<ArrayBuffer> {
    await this.checkAllocations();
    if (this.failure !== null) throw this.failure;
    if (bytes === 0) return new ArrayBuffer(0);
    const staging = this.staging.take(bytes, STAGING_USAGE);
    this.closePass();
    this.openEncoder().copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    this.flush();
    this.stats.mapAsyncCalls++;
    const lost = this.lost.then(() => {
      throw this.failure ?? new Error('webgpu device lost');
    });
    try {
      await Promise.race([staging.mapAsync(MapMode.READ, 0, staging.size), lost]);
    } catch (error) {
      // A destroyed device may reject the map before `lost` resolves: give it a moment to name the cause.
      await Promise.race([this.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
      if (this.failure !== null) throw this.failure;
      throw error;
    }
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.staging.give(staging, STAGING_USAGE);
    return copy;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder = null;
    this.pass = null;
    this.storage.destroyAll();
    this.params.destroyAll();
    this.staging.destroyAll();
    this.pipelines.clear();
    this.device.destroy();
  }
}
