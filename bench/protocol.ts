/**
 * What the bench parent and its peer processes say to each other. The parent sends a PeerRequest as
 * JSON in argv; the peer prints a PeerOutput as one line of JSON on stdout after each workload, each
 * line holding everything so far, so a peer stopped at the time limit still hands over what it
 * finished. The numpy peer (Python) speaks the same shapes, so every field here is plain JSON.
 */

/** LeNet last: it is the slowest by far (tfjs-cpu takes over a minute a step), so a time-out costs only it. */
export const WORKLOAD_KINDS = ['seed', 'mlp', 'matmul', 'dispatch', 'lenet', 'peak'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The compiler passes `tf.Session({optimizations})` can switch off one by one (all on by default). */
export const PASS_NAMES = ['constantFolding', 'cse', 'simplify', 'fusion', 'inPlace', 'memoryPlan'] as const;
export type PassName = (typeof PASS_NAMES)[number];
/** Session's `optimizations` option: false turns every pass off, an object turns the named ones off. */
export type Optimizations = false | Partial<Record<PassName, boolean>>;

/** One measured workload, fully sized by the parent so no peer keeps its own step counts. */
export interface WorkloadPlan {
  /** Unique in a run: the kind, plus the size for matmul ('matmul512'). */
  id: string;
  kind: WorkloadKind;
  /** Examples per training step; for matmul, n of the n×n·n×n product. */
  batch: number;
  n: number;
  learningRate: number;
  warmupSteps: number;
  /** Steps in one timed repetition (a matmul step is one product). */
  stepsPerRepeat: number;
  repeats: number;
  /**
   * Wall-clock budget for the timed repetitions: a peer that would overrun it times fewer steps per
   * repetition (at least one), and one whose first warm-up step alone overruns it reports that step.
   * This keeps a very slow peer (tfjs-cpu's LeNet takes over a minute a step) from eating the run.
   */
  budgetMs: number;
  /** Floating-point operations of one step, for GFLOP/s; 0 when not counted (training steps). */
  flopsPerStep: number;
  /**
   * Dispatch only: read the result back after every step, so the step is a full round trip
   * (dispatch + readback) instead of one dispatch with one readback per repetition.
   */
  readback?: boolean;
  /**
   * Seed only ('seed-fetch'): fetch the assign's value every step, as the seed program's
   * `sess.run(train_step, ...)` does (W comes back to the host each step); without it the assign
   * runs as a target, like TF.js's minimize.
   */
  fetchAssign?: boolean;
  /**
   * A batch-size sweep's workload ('mlp' for 'mlp@256'): once one of its batch sizes takes a single
   * step over the budget, the larger ones are skipped, so a slow backend does not spend minutes there.
   */
  sweep?: string;
}

/** Where the shared synthetic data lies: float32 images [examples, 784] then float32 one-hot labels [examples, 10]. */
export interface DataFile {
  path: string;
  examples: number;
}

export interface PeerRequest {
  data: DataFile;
  /** Peer-specific: our backend name, 'cpu' | 'wasm' for tfjs; unused by numpy (the library path picks its BLAS). */
  variant: string;
  /** Seed for the peers' weight initialisation (the data is already fixed by the file). */
  seed: number;
  workloads: WorkloadPlan[];
  /** Ours only: the session's compiler passes (absent: the defaults, every pass on). */
  optimizations?: Optimizations;
  /**
   * Ours only (pass rows): besides the request's own configuration (the control), run every workload
   * with each of these, interleaved with the control, and answer each in PeerOutput.variants.
   */
  variants?: Variant[];
  /** Ours on webgpu only: use any adapter, software (llvmpipe) included, not only hardware ones. */
  anyAdapter?: boolean;
}

export interface Measurement {
  id: string;
  /** Milliseconds of wall clock per step: median, min and max over the timed repetitions. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median CPU time of the peer process per step: above medianMs means several threads worked. */
  cpuMedianMs: number;
  repeats: number;
  stepsPerRepeat: number;
  /** Set when the budget changed how it was measured. */
  note?: string;
  /**
   * Peak resident set size while this workload was built and run, in MiB: the process's high-water
   * mark is reset before the workload (Linux /proc/self/clear_refs) and read after (VmHWM). Absent
   * where that reset is not possible.
   */
  peakRssMiB?: number;
}

export interface Skip {
  id: string;
  reason: string;
}

/** A compiler configuration measured side by side with the control in one process: 'fusion' (off), 'all' (every pass off). */
export interface Variant {
  label: string;
  optimizations: Optimizations;
}

export interface VariantOutput {
  label: string;
  measurements: Measurement[];
  skipped: Skip[];
}

export interface PeerOutput {
  /** What ran: library version, backend, BLAS library actually loaded. */
  description: string;
  measurements: Measurement[];
  skipped: Skip[];
  /** Peak resident set size of the peer process so far, in MiB. */
  peakRssMiB: number;
  /** Resident set size before the library was loaded (the runtime alone: node + tsx, or python), in MiB. */
  startRssMiB?: number;
  /** Ours on webgpu: the adapter is a software rasteriser (llvmpipe, SwiftShader), not a GPU. */
  softwareAdapter?: boolean;
  /** The request's variants, in its order (see PeerRequest.variants). */
  variants?: VariantOutput[];
}
