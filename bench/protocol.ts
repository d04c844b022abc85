/**
 * What the bench parent and its peer processes say to each other. The parent sends a PeerRequest as
 * JSON in argv; the peer prints a PeerOutput as one line of JSON on stdout after each workload, each
 * line holding everything so far, so a peer stopped at the time limit still hands over what it
 * finished. The numpy peer (Python) speaks the same shapes, so every field here is plain JSON.
 */

/** LeNet last: it is the slowest by far (tfjs-cpu takes over a minute a step), so a time-out costs only it. */
export const WORKLOAD_KINDS = ['seed', 'mlp', 'matmul', 'lenet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

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
}

export interface Skip {
  id: string;
  reason: string;
}

export interface PeerOutput {
  /** What ran: library version, backend, BLAS library actually loaded. */
  description: string;
  measurements: Measurement[];
  skipped: Skip[];
  /** Peak resident set size of the peer process so far, in MiB. */
  peakRssMiB: number;
}
