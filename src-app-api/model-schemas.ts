/**
 * The wire form of a user's own model (src-core/models/user-model.ts): a zoo name, a layer editor model
 * or a model file's text. Every number is checked against LAYER_MODEL_LIMITS, the same limits the layer
 * editor's fields and parseLayerModel use, and a failure names the field and its allowed range.
 */
import { z } from 'zod';
import { LAYER_MODEL_LIMITS, type LayerDef, type LayerModel, type UserModelSource } from '../src-core/models/user-model';
import { numberField, textField, type NumberFieldLimit } from './field-limits';

/** A model file's text travels whole; bigger files are refused before they reach the worker (bytes ≥ characters). */
export const MODEL_FILE_MAX_CHARS = LAYER_MODEL_LIMITS.fileBytes;
/** Characters of a model's display name (the Train form's Model field). */
export const MODEL_NAME_MAX = 64;

const L = LAYER_MODEL_LIMITS;
const limit = (label: string, min: number, max: number, integer: boolean): NumberFieldLimit => ({ label, min, max, integer });

export const LAYER_FIELD_LIMITS = {
  units: limit('Units', L.units.min, L.units.max, true),
  filters: limit('Filters', L.filters.min, L.filters.max, true),
  kernel: limit('Kernel size', L.kernel.min, L.kernel.max, true),
  stride: limit('Stride', L.stride.min, L.stride.max, true),
  size: limit('Pool size', L.size.min, L.size.max, true),
  rate: limit('Dropout rate', L.rate.min, L.rate.max, false),
  side: limit('Input height and width', L.side.min, L.side.max, true),
} as const satisfies Record<string, NumberFieldLimit>;

const ActivationSchema = z.enum(['none', 'relu', 'tanh', 'sigmoid'], { error: 'Activation must be one of none, relu, tanh, sigmoid' });
const PaddingSchema = z.enum(['same', 'valid'], { error: "Padding must be 'same' or 'valid'" });
const F = LAYER_FIELD_LIMITS;

const LayerDefSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('dense'), units: numberField(F.units), activation: ActivationSchema }),
    z.strictObject({
      type: z.literal('conv2d'),
      filters: numberField(F.filters),
      kernel: numberField(F.kernel),
      stride: numberField(F.stride),
      padding: PaddingSchema,
      activation: ActivationSchema,
    }),
    z.strictObject({ type: z.enum(['max_pool', 'avg_pool']), size: numberField(F.size), stride: numberField(F.stride), padding: PaddingSchema }),
    z.strictObject({ type: z.literal('dropout'), rate: numberField(F.rate) }),
    z.strictObject({ type: z.literal('flatten') }),
    z.strictObject({ type: z.literal('batch_norm') }),
  ],
  { error: 'Layer type must be one of dense, conv2d, max_pool, avg_pool, dropout, flatten, batch_norm' },
);

const inputError = `Input must be [784] (flat pixels) or [H, W, 1] with H and W between ${F.side.min} and ${F.side.max} (grayscale: 1 channel)`;
const isSide = (d: number): boolean => Number.isInteger(d) && d >= F.side.min && d <= F.side.max;
/** [784] (flat pixels) or [H, W, 1] (a grayscale image). */
const InputSchema = z
  .array(z.number({ error: inputError }), { error: inputError })
  .refine((s) => (s.length === 1 && s[0] === 784) || (s.length === 3 && isSide(s[0]) && isSide(s[1]) && s[2] === 1), { error: inputError });

function isOutputLayer(layer: LayerDef | undefined): boolean {
  return layer?.type === 'dense' && layer.activation === 'none';
}

export const LayerModelSchema = z.strictObject({
  format: z.literal('tinyflow-layers'),
  version: z.literal(1),
  name: textField('Model name', L.name.maxLength),
  input: InputSchema,
  layers: z
    .array(LayerDefSchema)
    .min(L.layers.min, { error: `A model has ${L.layers.min} to ${L.layers.max} layers` })
    .max(L.layers.max, { error: `A model has ${L.layers.min} to ${L.layers.max} layers` })
    .refine((layers) => isOutputLayer(layers[layers.length - 1]), {
      error: "The last layer must be the output: a dense layer with activation 'none' (its units become the class count)",
    }),
});

export const UserModelSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('zoo'), name: textField('Model', MODEL_NAME_MAX) }),
  z.strictObject({ kind: z.literal('layers'), model: LayerModelSchema }),
  z.strictObject({
    kind: z.literal('file'),
    fileName: textField('Model file name', 255),
    source: z.string().max(MODEL_FILE_MAX_CHARS, { error: `A model file must be at most 1 MB (${MODEL_FILE_MAX_CHARS.toLocaleString('en-US')} characters)` }),
  }),
]);

/** The schemas and src-core's types must describe the same values; this fails to compile otherwise. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const layersMatch: Same<z.infer<typeof LayerDefSchema>, LayerDef> = true;
const modelMatch: Same<z.infer<typeof LayerModelSchema>, LayerModel> = true;
const sourceMatch: Same<z.infer<typeof UserModelSourceSchema>, UserModelSource> = true;
void [layersMatch, modelMatch, sourceMatch];

/** One row of a model's summary: a layer (layer models) or a variable (model files). */
export const ModelSummaryRowSchema = z.strictObject({
  name: z.string(),
  outputShape: z.array(z.number().int().min(0)).nullable(),
  params: z.number().int().min(0),
  error: z.string().nullable(),
});
export type ModelSummaryRow = z.infer<typeof ModelSummaryRowSchema>;

export const ModelCheckRequest = z.strictObject({ userModel: UserModelSourceSchema, dataDir: textField('Data folder', 4096).nullable() });

/**
 * What building the model would give: its class count, its summary and the code it runs. `ok` false:
 * `error` says why (a shape error, a model file that throws or never finishes, a class count the data
 * does not have); the summary still holds what could be worked out.
 */
export const ModelCheckResponse = z.strictObject({
  ok: z.boolean(),
  name: z.string(),
  numClasses: z.number().int().min(0).nullable(),
  summary: z.array(ModelSummaryRowSchema),
  totalParams: z.number().int().min(0),
  code: z.string(),
  error: z.string().nullable(),
});
export type ModelCheck = z.infer<typeof ModelCheckResponse>;

/** Electron: a save dialog writes the file (path: where, null: cancelled); the web host answers `download`: the page saves it. */
export const ModelSaveRequest = z.strictObject({
  fileName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,80}\.tfmodel\.json$/, 'a model file name is NAME.tfmodel.json (letters, digits, space, ".", "-", "_")'),
  text: z.string().min(1).max(MODEL_FILE_MAX_CHARS),
});
export const ModelSaveResponse = z.strictObject({ path: z.string().nullable(), download: z.boolean() });

/** The model channels, spread into schemas.ts's API. */
export const MODEL_API = {
  /** Builds the model without training it: a file model runs in a throw-away thread with a time limit. */
  'model:check': { request: ModelCheckRequest, response: ModelCheckResponse },
  /** Host-answered: Save model… (see ModelSaveResponse). */
  'model:save': { request: ModelSaveRequest, response: ModelSaveResponse },
} as const;

/**
 * The studio feeds every model 28×28 images (the bundled digits, and data folders converted to that
 * size); a model made for another size is refused in words before anything is built.
 */
export function studioInputProblem(input: readonly number[]): string | null {
  if (input.length === 1 || (input[0] === 28 && input[1] === 28)) return null;
  return `it takes ${input[0]}×${input[1]} images, and the studio trains on 28×28 images for now: make its input [28, 28, 1] or [784]`;
}
