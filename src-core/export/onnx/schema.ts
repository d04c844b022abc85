/**
 * The onnx.ModelProto type, parsed by protobufjs from the official schema text embedded at build time
 * (onnx-proto-text.ts): no file is read at run time, so the bundle and the npm package need no .proto.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_TEXT } from './onnx-proto-text';

let modelType: protobuf.Type | null = null;

/** onnx.ModelProto, parsed once. */
export function onnxModelType(): protobuf.Type {
  // keepCase: the schema's snake_case field names, as every ONNX document and tool spells them.
  modelType ??= protobuf.parse(ONNX_PROTO_TEXT, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** TensorProto.DataType values this exporter writes. */
export const OnnxDType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
/** AttributeProto.AttributeType values this exporter writes. */
export const OnnxAttrType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;
