/**
 * Non-finite numbers on the wire. JSON has no NaN or ±Infinity (JSON.stringify writes null, which then
 * fails the schema, or silently means "no value"), so every sender encodes them as a tagged object
 * `{ $number: 'NaN' | 'Infinity' | '-Infinity' }` and every receiver decodes them back before
 * validation, on every transport (the WebSocket, Electron IPC, the worker's MessagePort), so one codec
 * serves all and a NaN loss arrives as NaN. Free of dependencies: the sandboxed preload imports it.
 */
export const NON_FINITE_TAG = '$number';

type NonFiniteName = 'NaN' | 'Infinity' | '-Infinity';

const NAMES: Record<NonFiniteName, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

function nameOf(n: number): NonFiniteName {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Rebuilds `value` with `leaf` applied to every number and tag, copying only the arrays and objects on
 * the way to a change (a message without non-finite numbers comes back as the same object).
 */
function mapDeep(value: unknown, leaf: (v: unknown) => unknown, depth: number): unknown {
  const mapped = leaf(value);
  if (mapped !== value || depth > 64) return mapped;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = mapDeep(value[i], leaf, depth + 1);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let changed = false;
    const entries = Object.keys(value).map((k): [string, unknown] => {
      const v = mapDeep(value[k], leaf, depth + 1);
      if (v !== value[k]) changed = true;
      return [k, v];
    });
    // fromEntries defines own properties, so a '__proto__' key stays a key and never becomes a prototype.
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

/** NaN and ±Infinity anywhere in `value` become tagged objects; everything else is kept as is. */
export function encodeNonFinite<T>(value: T): T {
  return mapDeep(value, (v) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE_TAG]: nameOf(v) } : v), 0) as T;
}

/** Tagged objects anywhere in `value` become the numbers they stand for. */
export function decodeNonFinite(value: unknown): unknown {
  return mapDeep(value, (v) => {
    if (!isPlainObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1 || keys[0] !== NON_FINITE_TAG) return v;
    const name = v[NON_FINITE_TAG];
    return typeof name === 'string' && Object.hasOwn(NAMES, name) ? NAMES[name as NonFiniteName] : v;
  }, 0);
}
