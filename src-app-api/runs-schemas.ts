/**
 * The runs part of the typed API: every training run the worker kept (settings, how it ended, its loss
 * and accuracy curves), listed as summaries and fetched with curves a few at a time for the Runs view.
 */
import { z } from 'zod';
import { OptimizerSchema } from './checkpoint-schemas';
import { textField } from './field-limits';

const finite = z.number().finite();

/**
 * Run ids become file names (`<runs>/<id>.json`), so they are letters, digits and '-' only: no dots and
 * no separators, nothing that could point outside the runs folder.
 */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
export const RunIdSchema = z.string().regex(RUN_ID, 'a run id is 1-64 letters, digits or "-", starting with a letter or digit');

/** The most runs kept on disk; starting one more deletes the oldest. */
export const RUNS_CAPACITY = 100;
/** The most runs `runs:get` returns at once (the most the view overlays). */
export const RUNS_GET_MAX = 10;
/** A curve keeps at most this many points; past it every other one is dropped (and then only every 2nd step is taken, and so on). */
export const RUN_SERIES_MAX = 2000;
export const RUN_NAME_MAX = 100;

/** [step, value, seconds since the run started]. */
export const RunPointSchema = z.tuple([z.number().int().min(0), finite, finite.min(0)]);
export type RunPoint = z.infer<typeof RunPointSchema>;

export const RunSettingsSchema = z.strictObject({
  /** The model's name as the Train form showed it (a zoo name or the user model's). */
  model: z.string().max(256),
  optimizer: OptimizerSchema,
  /** The rate the run started with; later changes are in `learningRates`. */
  learningRate: finite.positive(),
  batchSize: z.number().int().min(1),
  epochs: z.number().int().min(0),
  /** Set when the run was asked for a number of steps rather than epochs. */
  steps: z.number().int().min(1).nullable(),
  totalSteps: z.number().int().min(0),
  /** Where the examples came from: "bundled digits", or the data folder. */
  data: z.string().max(4096),
  classes: z.number().int().min(2).max(1000),
});
export type RunSettings = z.infer<typeof RunSettingsSchema>;

/**
 * interrupted: the app or its worker went away while the run was running or paused (it is continued,
 * if at all, as a new run restored from the autosave).
 */
export const RunStateSchema = z.enum(['running', 'paused', 'diverged', 'stopped', 'finished', 'failed', 'interrupted']);
export type RunState = z.infer<typeof RunStateSchema>;

export const RunSummarySchema = z.strictObject({
  id: RunIdSchema,
  name: z.string().min(1).max(RUN_NAME_MAX),
  /** ISO times. */
  startedAt: z.string().max(64),
  updatedAt: z.string().max(64),
  settings: RunSettingsSchema,
  /** The backend the run started on at its first step, then one entry per move (a user's or a failover), in step order. */
  backends: z.array(z.strictObject({ step: z.number().int().min(0), backend: z.string().max(64) })).min(1).max(1000),
  /** Learning-rate changes after the start (resuming a diverged run with a new rate). */
  learningRates: z.array(z.strictObject({ step: z.number().int().min(0), learningRate: finite.positive() })).max(1000),
  state: RunStateSchema,
  /** The step the run began at: 0, or the step of the checkpoint it continued. */
  startStep: z.number().int().min(0),
  step: z.number().int().min(0),
  finalLoss: finite.nullable(),
  finalAccuracy: finite.nullable(),
  /** "checkpoint lenet-a at step 300" when the run continued a checkpoint or autosave; null otherwise. */
  restoredFrom: z.string().max(4096).nullable(),
  /** Why it ended, where the state alone does not say (a failure's error, a divergence's message). */
  message: z.string().max(4096).nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunRecordSchema = RunSummarySchema.extend({
  loss: z.array(RunPointSchema).max(RUN_SERIES_MAX),
  accuracy: z.array(RunPointSchema).max(RUN_SERIES_MAX),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** A run file as it is on disk: the record with its format tag, so a stray JSON file is not mistaken for a run. */
export const RunFileSchema = RunRecordSchema.extend({ format: z.literal('tinyflow-run'), version: z.literal(1) });

export const RUNS_API = {
  /** Every kept run, newest first, without curves; `skipped`: run files that could not be read, with why. */
  'runs:list': {
    request: z.strictObject({}),
    response: z.strictObject({
      runs: z.array(RunSummarySchema).max(RUNS_CAPACITY + 1),
      skipped: z.array(z.strictObject({ file: z.string(), reason: z.string() })),
      capacity: z.number().int().min(1),
      /** The last failed write of a run file (the run is still kept until the app closes); null once one succeeds. */
      storeError: z.string().nullable(),
    }),
  },
  /** The runs with their curves, in the order asked; an id that is not kept is an error naming it. */
  'runs:get': {
    request: z.strictObject({ ids: z.array(RunIdSchema).min(1, { error: 'Runs: choose at least one run' }).max(RUNS_GET_MAX, { error: `Runs: at most ${RUNS_GET_MAX} at once` }) }),
    response: z.strictObject({ runs: z.array(RunRecordSchema).max(RUNS_GET_MAX) }),
  },
  'runs:delete': {
    request: z.strictObject({ ids: z.array(RunIdSchema).min(1).max(RUNS_CAPACITY + 1) }),
    response: z.strictObject({ deleted: z.number().int().min(0), remaining: z.number().int().min(0) }),
  },
  'runs:rename': {
    request: z.strictObject({ id: RunIdSchema, name: textField('Run name', RUN_NAME_MAX).refine((s) => s.trim().length > 0, { error: 'Run name must not be blank' }) }),
    response: z.strictObject({ run: RunSummarySchema }),
  },
} as const;
