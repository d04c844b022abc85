/** What the webgpu page (main.ts) publishes on window.__result, read by webgpu-in-chromium.test.ts. */

/** The adapter navigator.gpu gives, as the page saw it before any backend code ran. */
export interface AdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean | null;
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
}

export interface TrainingRun {
  /** The loss of every training step, as fetched with that step. */
  readonly losses: number[];
  /** Mean cross-entropy on the first batch before training and after the last step. */
  readonly evalLossBefore: number;
  readonly evalLossAfter: number;
  readonly W: number[];
  readonly b: number[];
  /** The first step (plan compilation, pipeline creation) and the mean of the others. */
  readonly firstStepMs: number;
  readonly stepMs: number;
  /** Training steps that fetch nothing, with one read after the last, per step. */
  readonly pipelinedStepMs: number;
}

export type WebGpuPageResult =
  | {
      readonly ok: false;
      readonly userAgent: string;
      readonly isSecureContext: boolean;
      readonly hasNavigatorGpu: boolean;
      /** Why there is no webgpu here, as precisely as the page can tell. */
      readonly reason: string;
    }
  | {
      readonly ok: true;
      readonly userAgent: string;
      readonly adapter: AdapterReport;
      /** The built-in 'webgpu' registration (hardware only), as the registry reports it in this page. */
      readonly registered: { readonly available: boolean; readonly reason: string | null };
      /** What the webgpu backend the session made reports about its adapter (capabilities.adapter). */
      readonly backendAdapter: { readonly description: string; readonly software: boolean } | null;
      readonly backendName: string;
      /** The context's counters after both passes over the batches (pipelines compiled, dispatches, submits, maps). */
      readonly webgpuStats: { readonly submits: number; readonly mapAsyncCalls: number; readonly dispatches: number; readonly pipelinesCompiled: number } | null;
      readonly steps: number;
      readonly batchSize: number;
      readonly cpu: TrainingRun;
      readonly webgpu: TrainingRun;
    };
