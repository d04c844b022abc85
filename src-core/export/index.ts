/** Taking a trained model out: ONNX export of the inference graph (bytes; the caller writes the file). */
export { exportOnnx, MIN_OPSET, type OnnxExportOptions } from './export-onnx';
export { mappedOpTypes } from './op-map';
export { exportTrainableModel } from './export-model';
