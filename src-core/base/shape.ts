/**
 * Static shapes. A dimension is a number or `null` (unknown until a feed binds it); a whole shape may
 * be `null` when even the rank is unknown. Compiled plans always see concrete shapes.
 */
export type Dim = number | null;
export type Shape = Dim[] | null;
export type ConcreteShape = number[];

export function formatShape(shape: Shape | readonly number[]): string {
  if (shape === null) return '<unknown>';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

export function isFullyDefined(shape: Shape): shape is number[] {
  return shape !== null && shape.every((d) => d !== null);
}

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous array. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Two dims are compatible if either is unknown or they are equal. */
export function dimsCompatible(a: Dim, b: Dim): boolean {
  return a === null || b === null || a === b;
}

export function shapesCompatible(a: Shape, b: Shape): boolean {
  if (a === null || b === null) return true;
  if (a.length !== b.length) return false;
  return a.every((d, i) => dimsCompatible(d, b[i]));
}

/**
 * numpy broadcasting over possibly-unknown dims. Returns null when the shapes cannot broadcast,
 * so the caller can raise an error naming its op.
 */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = new Array<Dim>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === 1) out[i] = db;
    else if (db === 1) out[i] = da;
    else if (da === null) out[i] = db === null ? null : db;
    else if (db === null) out[i] = da;
    else if (da === db) out[i] = da;
    else return undefined;
  }
  return out;
}

/** Resolves a possibly negative axis against `rank`; returns -1 when out of range. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank && Number.isInteger(a) ? a : -1;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
