/**
 * ONNX export of a trained zoo model (the trainer's TrainableModel, which a studio checkpoint restores
 * into): input `x` → `logits` and `probabilities`, with the session's current weights.
 */
import type { TrainableModel } from '../training/trainable';
import { NDArray } from '../ndarray';

const INFERENCE = NDArray.from(false);
import { exportOnnx } from './export-onnx';

export async function exportTrainableModel(model: TrainableModel<unknown>, producerVersion = ''): Promise<Uint8Array> {
  const values = await model.readVariables();
  // Optimizer slots are variables too; only those the inference path reads end up in the file.
  const variables = new Map<string, NDArray>(model.variables.map((v, i) => [v.op.name, values[i]]));
  return exportOnnx({
    input: model.model.x,
    outputs: { logits: model.model.logits, probabilities: model.model.probabilities },
    variables,
    // A user model's training flag is fixed false: dropout off, batch norm on its moving statistics.
    ...(model.model.training === undefined ? {} : { constants: [[model.model.training, INFERENCE]] as const }),
    graphName: model.name,
    producerVersion,
  });
}
