/**
 * The one typed API of the app: a zod schema for every request, response and event. Main, the web host,
 * the compute worker and the renderer all import this module; the types are inferred from the schemas so
 * the two can never drift apart.
 */
import { z } from 'zod';
import type { EventChannel, RequestChannel } from './channels';
import {
  CheckpointInfoSchema,
  CheckpointListResponse,
  CheckpointOpenRequest,
  CheckpointSaveRequest,
  OptimizerSchema,
  RestoredSchema,
} from './checkpoint-schemas';
import { COMPARE_FIELD_LIMITS, TRAIN_FIELD_LIMITS, numberField, textField } from './field-limits';
import { INSPECT_API } from './inspect-schemas';
import { RUNS_API } from './runs-schemas';
import { MODEL_API, UserModelSourceSchema } from './model-schemas';

export { COMPARE_FIELD_LIMITS, TRAIN_FIELD_LIMITS, fieldError, limitMessage, type FieldError, type NumberFieldLimit } from './field-limits';

const finite = z.number().finite();
/**
 * A measured value that may legitimately be NaN or ±Infinity: a loss once training diverged. The wire
 * (wire.ts) encodes non-finite numbers in every envelope, so such a value arrives intact and is shown as
 * what it is rather than rejecting the whole message.
 */
const measured = z.union([z.number(), z.nan(), z.literal(Infinity), z.literal(-Infinity)]);
const pixels784 = z.array(z.number().min(0).max(1)).length(784);
/** The most classes the app shows (the data loader's MAX_CLASSES): Draw's bars, Inspect's confusion matrix. */
export const MAX_APP_CLASSES = 1000;
/** A session's class names as its data names them: digits for MNIST, Fashion-MNIST's names, a folder's class folders. */
const ClassNamesSchema = z.array(z.string().max(256)).min(2).max(MAX_APP_CLASSES);
/** One probability per class of the session's data. */
const classProbabilities = z.array(finite).min(2).max(MAX_APP_CLASSES);

/**
 * Every field's failure reads as words naming the field and its range ("Learning rate must be between
 * 0.00001 and 100"), built from TRAIN_FIELD_LIMITS, which the renderer's form uses too.
 */
/** The `data:preview` answer; `label` indexes `classNames`, counts are per class in the same order. */
export const DataPreviewSchema = z.strictObject({
  kind: z.enum(['idx', 'image-folder', 'image-folder-split', 'csv']),
  description: z.string(),
  classNames: z.array(z.string()).min(2),
  classCounts: z.strictObject({ train: z.array(z.number().int().min(0)), test: z.array(z.number().int().min(0)) }),
  trainSize: z.number().int().min(0),
  testSize: z.number().int().min(0),
  samples: z.array(z.strictObject({ label: z.number().int().min(0), pixels: pixels784 })).max(40),
  notes: z.array(z.string()),
});
export type DataPreviewResult = z.infer<typeof DataPreviewSchema>;

export const TrainConfigSchema = z.strictObject({
  model: textField('Model', 64),
  backend: textField('Backend', 64),
  /** null: the bundled digits; else a data folder as src-core/datasets/load-data-dir.ts reads it (IDX, CSV, image class folders). */
  dataDir: textField('Data folder', 4096).nullable(),
  optimizer: z.enum(OptimizerSchema.options, { error: `Optimizer must be one of ${OptimizerSchema.options.join(', ')}` }),
  learningRate: numberField(TRAIN_FIELD_LIMITS.learningRate),
  batchSize: numberField(TRAIN_FIELD_LIMITS.batchSize),
  epochs: numberField(TRAIN_FIELD_LIMITS.epochs),
  /** When set, stop after this many steps instead of `epochs` full passes. */
  steps: numberField(TRAIN_FIELD_LIMITS.steps).nullable(),
  /**
   * The model to build: a layer editor model or a model file (`model` is then its display name); null or
   * absent (configs and checkpoints from before user models): the zoo model named `model`.
   */
  userModel: UserModelSourceSchema.nullable().optional(),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** diverged: the loss turned non-finite; training is paused on the last good weights (see `divergence`). */
export const TrainStateSchema = z.enum(['idle', 'running', 'paused', 'diverged', 'stopped', 'finished', 'failed']);
export type TrainState = z.infer<typeof TrainStateSchema>;

/**
 * Chart points stay finite: the loop never records a non-finite loss as a point (the diverging step's
 * loss travels in `loss` and `divergence` instead), so a saved history is always valid JSON and charts
 * need no gaps.
 */
const SeriesSchema = z.array(z.tuple([z.number().int(), finite]));

/** Why training stopped on a non-finite loss, and where its weights came from. */
export const DivergenceSchema = z.strictObject({
  /** The step whose loss was non-finite. */
  step: z.number().int().min(0),
  loss: measured,
  /** The step of the restored weights; null when no finite weights were ever seen (nothing restored). */
  lastGoodStep: z.number().int().min(0).nullable(),
  /** A tenth of the rate in use; null when the rate is not known. */
  suggestedLearningRate: finite.positive().nullable(),
  /** "training diverged at step N (loss NaN); weights kept from step M; try a learning rate below X" */
  message: z.string(),
});
export type Divergence = z.infer<typeof DivergenceSchema>;

/** The replay of a diverging step with checks: the first node (in execution order) that made a non-finite value. */
export const DiagnosisSchema = z.strictObject({
  step: z.number().int().min(0),
  /** null when the replay produced only finite values (the divergence did not reproduce). */
  node: z.strictObject({ name: z.string(), op: z.string(), shape: z.array(z.number().int().min(0)) }).nullable(),
  /** The node's inputs and what was already wrong with them ("has 0s", "has NaN"), in input order. */
  inputs: z.array(z.strictObject({ name: z.string(), op: z.string(), note: z.string().nullable() })),
  /** One sentence for the user: "the first non-finite value came from Log 'Log_3' [100,10]: …". */
  message: z.string(),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export const ProgressSchema = z.strictObject({
  state: TrainStateSchema,
  /** The loaded session's config (backend: the one it runs on now), so a restored session fills the form. */
  config: TrainConfigSchema.nullable(),
  model: z.string(),
  backend: z.string(),
  step: z.number().int().min(0),
  totalSteps: z.number().int().min(0),
  epoch: finite,
  /** May be NaN/±Infinity: after a divergence it is the non-finite loss that stopped training. */
  loss: measured.nullable(),
  /** null when there is no finite accuracy to show (none measured, or no test examples). */
  testAccuracy: finite.nullable(),
  examplesPerSecond: finite,
  etaSeconds: finite.nullable(),
  /** Loss and accuracy points since the previous message, so a throttled stream loses no chart points. */
  lossPoints: SeriesSchema,
  accuracyPoints: SeriesSchema,
  /**
   * True on the first message of a new run or a restored session (and in app:info's snapshot): the
   * receiver drops its chart points and takes these, which for a restore are the saved history.
   */
  seriesReset: z.boolean(),
  error: z.string().nullable(),
  /** Set when the session came back from a checkpoint or an autosave, so the UI can say where from. */
  restored: RestoredSchema.nullable(),
  /** Set once the backend's device was lost and training moved on to another backend. */
  failover: z.strictObject({ from: z.string(), to: z.string(), reason: z.string(), runsLost: z.number().int().min(0) }).nullable(),
  /** Set while the session is in (or came from) the 'diverged' state; cleared when a new run starts. */
  divergence: DivergenceSchema.nullable(),
  /** The last autosave's failure, null once one succeeds (or none was tried). */
  autosaveError: z.string().nullable(),
  /** The loaded session's classes (what Draw's bars and label choice show); absent or null: no session yet (the bundled digits). */
  classNames: ClassNamesSchema.nullable().optional(),
});
export type Progress = z.infer<typeof ProgressSchema>;

/** Loss and test-accuracy history persisted with a checkpoint, so a restored curve is continued, not restarted. */
export const HistorySchema = z.strictObject({ loss: SeriesSchema, accuracy: SeriesSchema });
export type History = z.infer<typeof HistorySchema>;

export const WorkerStatusSchema = z.strictObject({
  state: z.enum(['ready', 'restarting', 'crashed', 'stalled']),
  message: z.string(),
  restarts: z.number().int().min(0),
});
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

/** A drawing's label is a class index of the session's data; the drawings file keeps it in one byte. */
const USER_SET_MAX_LABEL = 255;

/** A drawing of the user set, for its list: the pixels are its thumbnail. */
const DrawingSchema = z.strictObject({ id: z.number().int().min(0), label: z.number().int().min(0).max(USER_SET_MAX_LABEL), pixels: pixels784 });
export type Drawing = z.infer<typeof DrawingSchema>;

/** One page of the user set's drawings, oldest first. */
const USERSET_PAGE_MAX = 200;

const ModelInfoSchema = z.strictObject({ name: z.string(), description: z.string(), defaultLearningRate: finite, defaultOptimizer: OptimizerSchema, code: z.string() });
const empty = z.strictObject({});
const ok = z.strictObject({ ok: z.literal(true) });

/**
 * One backend's run. A backend that could not run has `error` set (the reason) and every number null,
 * so the view shows "–" and the reason, never a measured-looking 0.
 */
const CompareRowSchema = z.strictObject({
  backend: z.string(),
  /** Steps actually run: fewer than asked when the time budget or a cancel ended the run. */
  steps: z.number().int().min(0).nullable(),
  stepsPerSecond: finite.nullable(),
  msPerStep: finite.nullable(),
  /** Seconds until test accuracy first reached the target, null when it never did. */
  timeToAccuracy: finite.nullable(),
  finalAccuracy: finite.nullable(),
  lossMaxDiff: finite.nullable(),
  lossMeanDiff: finite.nullable(),
  weightMaxDiff: finite.nullable(),
  weightMeanDiff: finite.nullable(),
  error: z.string().nullable(),
  /** Why the run ended before its steps: its time budget ran out, or the comparison was cancelled. */
  stopped: z.enum(['budget', 'cancelled']).nullable(),
  /** The GPU adapter the run used, where the backend has one; software: a fallback (CPU-emulated) adapter. */
  adapter: z.strictObject({ description: z.string(), software: z.boolean() }).optional(),
});
export type CompareRow = z.infer<typeof CompareRowSchema>;

const CoverageSchema = z.strictObject({
  backends: z.array(z.string()),
  rows: z.array(z.strictObject({ primitive: z.string(), group: z.string(), support: z.array(z.enum(['native', 'fused', 'lowered', 'unavailable'])) })),
});
export type Coverage = z.infer<typeof CoverageSchema>;

const MisclassifiedSchema = z.strictObject({ index: z.number().int(), label: z.number().int(), predicted: z.number().int(), pixels: pixels784, probabilities: classProbabilities });

/** A node's values on one batch: summary statistics and a histogram over [min, max]. */
const NodeValuesSchema = z.strictObject({
  count: z.number().int().min(0),
  /** NaN and ±Infinity values, left out of the statistics and the histogram. */
  nonFinite: z.number().int().min(0),
  min: finite,
  max: finite,
  mean: finite,
  std: finite.min(0),
  /** `counts[i]` values fell in [lo + i·w, lo + (i+1)·w), w = (hi − lo) / counts.length; the last bin includes hi. */
  histogram: z.strictObject({ lo: finite, hi: finite, counts: z.array(z.number().int().min(0)).min(1).max(200) }),
});
export type NodeValues = z.infer<typeof NodeValuesSchema>;

/**
 * How the graph viewer colours a node: decided in the worker from the graph (gradient: under autodiff's
 * 'gradients' scope; optimizer: feeds only the train op's updates; fused: a plan node standing for several ops).
 */
export const GraphNodeKindSchema = z.enum(['variable', 'placeholder', 'op', 'gradient', 'optimizer', 'fused']);
export type GraphNodeKind = z.infer<typeof GraphNodeKindSchema>;
/** Bounds of the graph payloads: a model far past the zoo's sizes is cut, and says so. */
export const GRAPH_LIMITS = { nodes: 20_000, edges: 100_000, fusedFrom: 256 } as const;
const graphEdges = z.array(z.tuple([z.string(), z.string()])).max(GRAPH_LIMITS.edges);
/** The compiled plan of the running session's training step (`tinyflow explain`), as a graph. */
export const PlanGraphSchema = z.strictObject({
  model: z.string(),
  backend: z.string(),
  batchSize: z.number().int().min(1),
  /** Backend calls per step. */
  kernels: z.number().int().min(0),
  passes: z.array(z.strictObject({ name: z.string(), enabled: z.boolean(), summary: z.string() })).max(64),
  memory: z.strictObject({ buffers: z.number().int().min(0), bytes: z.number().min(0), requestedBytes: z.number().min(0), variableBytes: z.number().min(0) }),
  nodes: z
    .array(
      z.strictObject({
        id: z.string(),
        op: z.string(),
        kind: GraphNodeKindSchema,
        /** The graph ops a fused node stands for (at most GRAPH_LIMITS.fusedFrom listed). */
        fusedFrom: z.array(z.string()).max(GRAPH_LIMITS.fusedFrom),
        kernels: z.number().int().min(0),
        /** buffer: the plan buffer the output lives in, -1 for a variable's or a feed's own buffer. */
        outputs: z.array(z.strictObject({ shape: z.array(z.number().int()).max(16), dtype: z.string(), bytes: z.number().min(0), buffer: z.number().int() })).max(64),
        /** Output 0 is computed straight into this variable (in-place update). */
        writesVariable: z.string().nullable(),
        scratchBytes: z.number().min(0),
      }),
    )
    .max(GRAPH_LIMITS.nodes),
  edges: graphEdges,
  /** The plan had more nodes or edges than GRAPH_LIMITS: the rest were left out. */
  truncated: z.boolean(),
});
export type PlanGraph = z.infer<typeof PlanGraphSchema>;

export const NodeInspectionSchema = z.strictObject({
  node: z.string(),
  op: z.string(),
  step: z.number().int().min(0),
  /** The batch fed: the last training batch, or the head of the test split before any training. */
  batch: z.strictObject({ source: z.enum(['train', 'test']), size: z.number().int().min(1) }),
  /** The concrete shape of the node's first output on that batch; null when it was not evaluated. */
  shape: z.array(z.number().int().min(0)).nullable(),
  values: NodeValuesSchema.nullable(),
  /** Why `values` is null (no output, or evaluating it would update the variables); null otherwise. */
  unavailable: z.string().nullable(),
  /**
   * Milliseconds the node's kernels take per training step, measured by the session's per-node
   * profile (for a fused node: the whole fused kernel's time); null when not measured.
   */
  timeMs: finite.min(0).nullable(),
  /** What the time covers or why there is none (fused with other ops, folded at compile time, no step yet). */
  timeNote: z.string().nullable(),
});
export type NodeInspection = z.infer<typeof NodeInspectionSchema>;

/** Every request channel: what the renderer sends and what it gets back. */
export const API = {
  'app:info': {
    request: empty,
    response: z.strictObject({
      models: z.array(ModelInfoSchema),
      backends: z.array(z.string()),
      /** The fastest available backend (as `tf.Session()` picks it): the Train form's default. */
      defaultBackend: z.string(),
      /** Backends that cannot run here, each with the reason (the same text `tinyflow info` prints). */
      unavailableBackends: z.array(z.strictObject({ backend: z.string(), reason: z.string() })),
      /** A sensible learning rate per optimizer, for a model trained with another optimizer than its own. */
      optimizerRates: z.strictObject({ sgd: finite, momentum: finite, adam: finite }),
      progress: ProgressSchema,
      userSetSize: z.number().int(),
      /** The most drawings the user set holds (USER_SET_CAPACITY). */
      userSetCapacity: z.number().int().min(1),
      /** Datasets found installed on this machine (Fashion-MNIST from Debian's package), offered in the Dataset select. */
      dataSources: z.array(z.strictObject({ id: z.string(), name: z.string(), dir: z.string() })).default([]),
    }),
  },
  'train:start': { request: TrainConfigSchema, response: ok },
  'train:pause': { request: empty, response: ok },
  /** learningRate: resume (e.g. from 'diverged') with a new rate; the optimizer's slots are kept. */
  'train:resume': { request: z.strictObject({ learningRate: numberField(TRAIN_FIELD_LIMITS.learningRate).optional() }), response: ok },
  /** Replays the diverging step from the last good weights with checks on every node output. */
  'train:diagnose': { request: empty, response: DiagnosisSchema },
  'train:stop': { request: empty, response: ok },
  'train:set-backend': { request: z.strictObject({ backend: z.string().min(1).max(64) }), response: z.strictObject({ backend: z.string(), variablesMoved: z.number().int() }) },
  predict: {
    request: z.strictObject({ pixels: pixels784, saliency: z.boolean() }),
    /**
     * nothingDrawn: the drawing had less ink than MIN_DRAWING_INK (an empty canvas); it was not
     * classified, and probabilities and saliency are null.
     */
    response: z.strictObject({
      probabilities: classProbabilities.nullable(),
      saliency: z.array(finite).length(784).nullable(),
      step: z.number().int(),
      model: z.string().nullable(),
      nothingDrawn: z.boolean(),
      /** The names of the classes `probabilities` are in the order of. */
      classNames: ClassNamesSchema,
    }),
  },
  /** Refused (an error naming the reason) for an empty drawing and when the set holds USER_SET_CAPACITY drawings. */
  'userset:add': {
    request: z.strictObject({ pixels: pixels784, label: numberField({ label: 'Label', min: 0, max: USER_SET_MAX_LABEL, integer: true }) }),
    response: z.strictObject({ size: z.number().int(), id: z.number().int().min(0) }),
  },
  'userset:list': {
    request: z.strictObject({ offset: z.number().int().min(0), limit: numberField({ label: 'Page size', min: 1, max: USERSET_PAGE_MAX, integer: true }) }),
    response: z.strictObject({ total: z.number().int().min(0), capacity: z.number().int().min(1), drawings: z.array(DrawingSchema).max(USERSET_PAGE_MAX) }),
  },
  /** Deleting an id that is not in the set is an error naming it. */
  'userset:delete': { request: z.strictObject({ id: z.number().int().min(0) }), response: z.strictObject({ size: z.number().int().min(0) }) },
  'inspect:snapshot': {
    request: z.strictObject({ misclassifiedLimit: z.number().int().min(0).max(100) }),
    response: z.strictObject({
      step: z.number().int(),
      /** [784 × 10] row-major weights of a softmax layer, null when the model has none. */
      templates: z.array(finite).length(7840).nullable(),
      /** confusion[label][predicted], one row and column per class of `classNames`. */
      confusion: z
        .array(z.array(z.number().int().min(0)).max(MAX_APP_CLASSES))
        .min(2)
        .max(MAX_APP_CLASSES)
        .refine((m) => m.every((row) => row.length === m.length), { error: 'the confusion matrix must be square' }),
      classNames: ClassNamesSchema,
      testAccuracy: finite,
      misclassified: z.array(MisclassifiedSchema),
      graph: z.strictObject({
        /**
         * timeMs: the node's kernel time per training step (its fused kernel's when fused), null when it has none measured.
         * init: only the variables' initializer reaches it (initial values, their random ops, the assigns).
         */
        nodes: z
          .array(z.strictObject({ id: z.string(), op: z.string(), shape: z.string(), gradient: z.boolean(), kind: GraphNodeKindSchema, init: z.boolean(), timeMs: finite.min(0).nullable() }))
          .max(GRAPH_LIMITS.nodes),
        edges: graphEdges,
        truncated: z.boolean(),
      }),
    }),
  },
  /** One graph node's current values on the current batch, for the Inspect view's node details. */
  'inspect:node': {
    request: z.strictObject({ node: z.string().min(1).max(512), bins: z.number().int().min(2).max(200) }),
    response: NodeInspectionSchema,
  },
  /** The compiled plan of the running session's training step, for the graph viewer's plan mode. */
  'inspect:plan': { request: empty, response: PlanGraphSchema },
  /**
   * Runs the same workload on every backend, each within a time budget; compare:cancel, train:stop and
   * train:pause end it early (the rows so far come back, the unfinished one marked `stopped`).
   */
  'compare:run': {
    request: z.strictObject({
      model: textField('Model', 64),
      steps: numberField(COMPARE_FIELD_LIMITS.steps),
      batchSize: numberField(COMPARE_FIELD_LIMITS.batchSize),
      targetAccuracy: numberField(COMPARE_FIELD_LIMITS.targetAccuracy),
    }),
    response: z.strictObject({
      rows: z.array(CompareRowSchema),
      /** The facts for the table's caption. */
      caption: z.strictObject({
        model: z.string(),
        steps: z.number().int(),
        batchSize: z.number().int(),
        /** Seconds each backend may run before it is stopped (`stopped: 'budget'`). */
        budgetSecondsPerBackend: finite.positive(),
        /** A training session was running meanwhile: both shared the CPU cores, so the timings are lower. */
        sharedWithTraining: z.boolean(),
        cancelled: z.boolean(),
      }),
    }),
  },
  /** Ends a running comparison; `cancelled` is false when none was running. */
  'compare:cancel': { request: empty, response: z.strictObject({ cancelled: z.boolean() }) },
  'compare:coverage': { request: empty, response: CoverageSchema },
  /**
   * What a data folder holds, before training on it (the folder `train:start` takes as `dataDir`; null: the
   * bundled digits): its kind, classes, split sizes and up to 40 labelled 28×28 samples (4 per class).
   */
  'data:preview': { request: z.strictObject({ dataDir: textField('Data folder', 4096).nullable() }), response: DataPreviewSchema },
  'dialog:pick-data-dir': { request: empty, response: z.strictObject({ path: z.string().nullable() }) },
  /** null: the save dialog was cancelled. */
  'checkpoint:save': { request: CheckpointSaveRequest, response: z.strictObject({ checkpoint: CheckpointInfoSchema.nullable() }) },
  /** null: the open dialog was cancelled. */
  'checkpoint:open': { request: CheckpointOpenRequest, response: z.strictObject({ checkpoint: CheckpointInfoSchema.nullable() }) },
  'checkpoint:list': { request: empty, response: CheckpointListResponse },
  /**
   * The session's model as ONNX. Web host: `name` is required and the file is `<home>/exports/<name>.onnx`;
   * Electron: name is the save dialog's suggestion. `path` is where it was written, null: dialog cancelled.
   */
  'checkpoint:export-onnx': {
    request: CheckpointSaveRequest,
    response: z.strictObject({ path: z.string().nullable(), model: z.string().nullable(), bytes: z.number().int().min(0) }),
  },
  ...RUNS_API,
  ...MODEL_API,
  ...INSPECT_API,
} as const satisfies Record<RequestChannel, { request: z.ZodType; response: z.ZodType }>;

export const EVENTS = {
  'train:progress': ProgressSchema,
  'worker:status': WorkerStatusSchema,
} as const satisfies Record<EventChannel, z.ZodType>;

export type Req<C extends RequestChannel> = z.infer<(typeof API)[C]['request']>;
export type Res<C extends RequestChannel> = z.infer<(typeof API)[C]['response']>;
export type EventPayload<E extends EventChannel> = z.infer<(typeof EVENTS)[E]>;
