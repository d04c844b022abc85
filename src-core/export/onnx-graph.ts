/**
 * The ONNX graph under construction: nodes, initializers and unique value names. The op mappings
 * (op-map.ts) add to it; export-onnx.ts turns it into a ModelProto.
 */
import { OnnxAttrType, OnnxDType } from './onnx/schema';

export type AttrValue = number | number[] | string | { float: number };

export interface OnnxAttribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function attribute(name: string, value: AttrValue): OnnxAttribute {
  if (typeof value === 'string') return { name, type: OnnxAttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: OnnxAttrType.INTS, ints: value };
  if (typeof value === 'object') return { name, type: OnnxAttrType.FLOAT, f: value.float };
  return { name, type: OnnxAttrType.INT, i: value };
}

function littleEndian(values: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // Typed arrays hold the platform's byte order; raw_data is little-endian by the schema. Every platform
  // Node and browsers run on today is little-endian, so the bytes go as they are.
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

export class OnnxGraphBuilder {
  /** The opset written: a few ops changed their signature across the opsets we accept (ReduceMean's axes in 18). */
  readonly opset: number;
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  constructor(opset: number) {
    this.opset = opset;
  }

  /** A value or node name not taken yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds a node; returns its first output's name (fresh names from `label` unless `outputs` is given). */
  node(opType: string, inputs: string[], label: string, attrs: Record<string, AttrValue> = {}, outputs?: string[]): string {
    const out = outputs ?? [this.fresh(`${label}/${opType}:0`)];
    this.nodes.push({
      name: this.fresh(`${label}/${opType}`),
      op_type: opType,
      input: inputs,
      output: out,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out[0];
  }

  floatInitializer(name: string, dims: number[], values: Float32Array): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, data_type: OnnxDType.FLOAT, raw_data: littleEndian(values) });
    return n;
  }

  boolInitializer(name: string, dims: number[], values: ArrayLike<number>): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, data_type: OnnxDType.BOOL, raw_data: Uint8Array.from(values, (v) => (v ? 1 : 0)) });
    return n;
  }

  int64Initializer(name: string, values: number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [values.length], data_type: OnnxDType.INT64, raw_data: littleEndian(BigInt64Array.from(values, (v) => BigInt(v))) });
    return n;
  }
}
