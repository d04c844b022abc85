/**
 * The "see inside" channels: a layer-by-layer view of one image going through the model (activation
 * maps, conv filters) and the weight and gradient histograms recorded while training. Every payload is
 * bounded by the caps below, whatever the model's size, so a 512-filter layer sends no megabytes.
 */
import { z } from 'zod';

/** At most this many channel maps per layer are sent (the first ones); `channels` says how many there are. */
export const MAX_MAPS_PER_LAYER = 32;
/** At most this many kernels per conv layer are sent. */
export const MAX_FILTERS_PER_LAYER = 32;
/** Maps wider or taller than this are subsampled (every k-th row and column) to fit. */
export const MAX_MAP_SIDE = 64;
/** Kernels larger than this are cropped to their centre (28: a dense layer's templates over a 28×28 image fit). */
export const MAX_KERNEL_SIDE = 28;
/** A dense layer's vector is sent up to this many values. */
export const MAX_VECTOR = 1024;
/** Layers sent, in order. */
export const MAX_LAYERS = 64;
/** All maps, kernels and vectors of one answer together hold at most this many values. */
export const MAX_ACTIVATION_VALUES = 200_000;
/** Histogram samples kept per variable: when full, every other one is dropped and the interval doubles. */
export const MAX_HISTORY_SAMPLES = 200;
export const HISTOGRAM_BINS = 30;

const finite = z.number().finite();
const pixels784 = z.array(z.number().min(0).max(1)).length(784);
/** 0..255: a value v of the map is lo + q / 255 · (hi − lo). */
const quantized = z.array(z.number().int().min(0).max(255));

/** One channel's H×W map (or one kernel), row-major, quantized over its own [lo, hi]. */
export const ValueMapSchema = z.strictObject({ lo: finite, hi: finite, q: quantized.max(MAX_MAP_SIDE * MAX_MAP_SIDE) });
export type ValueMap = z.infer<typeof ValueMapSchema>;

export const LayerActivationSchema = z.strictObject({
  name: z.string(),
  kind: z.string(),
  /** The output's shape for one example, in the layer's own layout ([C, H, W] for NCHW, [H, W, C] for NHWC). */
  shape: z.array(z.number().int().min(0)),
  /** Over every value of the output (shown or not). */
  min: finite,
  max: finite,
  /** Image-shaped outputs: one map per channel, the first `maps.length` of `channels`. */
  maps: z.strictObject({
    channels: z.number().int().min(0),
    height: z.number().int().min(1).max(MAX_MAP_SIDE),
    width: z.number().int().min(1).max(MAX_MAP_SIDE),
    /** Every `stride`-th row and column of the output (1: all of it). */
    stride: z.number().int().min(1),
    list: z.array(ValueMapSchema).max(MAX_MAPS_PER_LAYER),
  }).nullable(),
  /** Any other output, flattened: the first `values.q.length` of `length` values. */
  vector: z.strictObject({ length: z.number().int().min(0), values: z.strictObject({ lo: finite, hi: finite, q: quantized.max(MAX_VECTOR) }) }).nullable(),
  /**
   * A conv layer's kernels (the first `list.length` of `count`, each kh×kw), or a dense layer's templates
   * when it reads the 28×28 image itself (each unit's 784 weights as a 28×28 map).
   */
  filters: z.strictObject({
    count: z.number().int().min(0),
    /** 'input channel' when the layer reads one channel, 'mean over N input channels', or 'weights per input pixel' (templates). */
    over: z.string(),
    height: z.number().int().min(1).max(MAX_KERNEL_SIDE),
    width: z.number().int().min(1).max(MAX_KERNEL_SIDE),
    min: finite,
    max: finite,
    list: z.array(ValueMapSchema).max(MAX_FILTERS_PER_LAYER),
  }).nullable(),
  /** What was left out of this layer to keep the answer small (channels, values, subsampling), or null. */
  note: z.string().nullable(),
});
export type LayerActivation = z.infer<typeof LayerActivationSchema>;

/** One object rather than a union, so a bad index is named as such (a union's failure reads "Invalid input"). */
export const ActivationsRequestSchema = z.strictObject({
  source: z
    .strictObject({
      testIndex: z.number({ error: 'Test image must be a whole number' }).int('Test image must be a whole number').min(0, 'Test image must be 0 or more').optional(),
      pixels: pixels784.optional(),
    })
    .refine((s) => (s.testIndex === undefined) !== (s.pixels === undefined), { error: 'give either testIndex (a test image) or pixels (a drawing)' }),
});

export const ActivationsResponseSchema = z.strictObject({
  step: z.number().int().min(0),
  model: z.string(),
  /** The test image's index and label, or null for given pixels (a drawing). */
  test: z.strictObject({ index: z.number().int().min(0), label: z.number().int().min(0), size: z.number().int().min(1) }).nullable(),
  /** The test split's size, so a form can check its index field. */
  testSize: z.number().int().min(0),
  input: pixels784,
  probabilities: z.array(finite).min(1).max(1000),
  predicted: z.number().int().min(0),
  /** The model's own layers (layers), or the forward graph's conv / pool / matmul / activation ops (graph). */
  layersFrom: z.enum(['layers', 'graph']),
  layers: z.array(LayerActivationSchema).max(MAX_LAYERS),
  /** Layers beyond MAX_LAYERS or the value budget that were not sent. */
  layersLeftOut: z.number().int().min(0),
});
export type Activations = z.infer<typeof ActivationsResponseSchema>;

/** counts[i] values fell in [min + i·w, min + (i+1)·w), w = (max − min) / bins; the last bin includes max. */
export const HistogramSchema = z.strictObject({
  min: finite,
  max: finite,
  counts: z.array(z.number().int().min(0)).length(HISTOGRAM_BINS),
  /** NaN and ±Infinity values, left out of min, max and counts. */
  nonFinite: z.number().int().min(0),
});
export type Histogram = z.infer<typeof HistogramSchema>;

export const HistorySampleSchema = z.strictObject({
  step: z.number().int().min(0),
  weights: HistogramSchema,
  /** The gradient on that step's batch; null when the model does not expose it. */
  gradient: HistogramSchema.nullable(),
});
export type HistorySample = z.infer<typeof HistorySampleSchema>;

export const HistoriesRequestSchema = z.strictObject({
  /** The variable whose samples to send; null: the first one. */
  variable: z.string().min(1).max(512).nullable(),
});

export const HistoriesResponseSchema = z.strictObject({
  /** Samples are taken every `every` steps (it doubles each time the samples are thinned out). */
  every: z.number().int().min(1),
  /** Bumped on every new run, so a view knows to drop what it had. */
  run: z.number().int().min(0),
  /** Every recorded (trainable) variable, in the model's order. */
  variables: z.array(z.strictObject({ name: z.string(), shape: z.array(z.number().int().min(0)), samples: z.number().int().min(0) })),
  /** The requested variable's samples in ascending steps; null when nothing is recorded (no run yet). */
  selected: z.strictObject({
    name: z.string(),
    shape: z.array(z.number().int().min(0)),
    samples: z.array(HistorySampleSchema).max(MAX_HISTORY_SAMPLES),
  }).nullable(),
});
export type Histories = z.infer<typeof HistoriesResponseSchema>;

/** The channels, spread into schemas.ts's API. */
export const INSPECT_API = {
  /** One image (a test image by index, or given pixels: the drawn digit) through every layer of the model. */
  'inspect:activations': { request: ActivationsRequestSchema, response: ActivationsResponseSchema },
  /** The weight and gradient histograms recorded during the current run, for one variable. */
  'inspect:histories': { request: HistoriesRequestSchema, response: HistoriesResponseSchema },
} as const;
