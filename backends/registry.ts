/**
 * The backend registry (shaped after onnxruntime's backend-impl.ts): backends register a factory
 * under a unique name with a priority; sessions create them by name or ask for the best one. A
 * factory that fails is reported as unavailable with its reason and never takes the others down.
 */
import { InvalidArgumentError, UnavailableError } from '../src-core/base/errors';
import type { Backend, BackendCapabilities, BackendFactory } from './interface';
import { fusedKernelsOf, missingMethods, type FusedKernel } from './contract';

export { FUSED_KERNELS, type FusedKernel } from './contract';
// The shared checks of the required primitives, which the plan compiler lowers every op through.
export { withPrimitiveChecks } from './primitive-checks';

/** `tf.Session({backend: 'best'})`: the highest-priority backend that initialises, awaited. */
export const BEST = 'best';

export interface RegisterOptions {
  /** Higher wins when a session asks for the best available backend (built-ins: cpu 0, wasm 10, webgpu 20). */
  priority?: number;
  /**
   * The factory for a session that names this backend explicitly (`{backend: 'webgpu'}`, TINYFLOW_BACKEND);
   * `factory` still serves 'best', the default session and availability reports. webgpu uses it to run on a
   * software adapter when asked by name, while 'best' skips such an adapter.
   */
  byName?: BackendFactory;
  /**
   * The factory always returns a Promise (a GPU device is requested asynchronously). The synchronous
   * default (`tf.Session()`) then skips the backend without calling its factory, so a program that never
   * asks for it never starts the GPU stack (and its driver messages on stderr).
   */
  asyncOnly?: boolean;
}

/** What `availableBackends()` reports for one registered backend. */
export interface BackendInfo {
  name: string;
  priority: number;
  available: boolean;
  /** Why it is unavailable: the factory's error message. */
  reason?: string;
  /** Whether the factory returned a Backend directly (eligible as the synchronous default). */
  syncInit?: boolean;
  capabilities?: BackendCapabilities;
  /** The optional fused kernels the backend implements. */
  fusedKernels?: FusedKernel[];
}

interface Entry {
  readonly name: string;
  readonly factory: BackendFactory;
  readonly byName?: BackendFactory;
  readonly priority: number;
  /** Registration order: breaks priority ties so the order is stable. */
  readonly order: number;
  /** Known as soon as the factory has been called once; lets bestBackendSync skip async backends. */
  syncInit?: boolean;
  /** The probe, started once: concurrent callers share it. */
  probe?: Promise<BackendInfo>;
  /** The probe's result once settled, for synchronous lookups. */
  settled?: BackendInfo;
}

const entries = new Map<string, Entry>();
let registrations = 0;

export function registerBackend(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]*$/i.test(name)) {
    throw new InvalidArgumentError(`registerBackend: '${String(name)}' is not a valid backend name (a letter, then letters, digits, '-', '_')`);
  }
  if (name === BEST) throw new InvalidArgumentError(`registerBackend: '${BEST}' is reserved for the best available backend`);
  if (typeof factory !== 'function') throw new InvalidArgumentError(`registerBackend('${name}'): factory must be a function`);
  const priority = options.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    throw new InvalidArgumentError(`registerBackend('${name}'): priority must be a finite number, got ${String(priority)}`);
  }
  if (entries.has(name)) throw new InvalidArgumentError(`registerBackend: a backend named '${name}' is already registered`);
  if (options.byName !== undefined && typeof options.byName !== 'function') throw new InvalidArgumentError(`registerBackend('${name}'): byName must be a function`);
  entries.set(name, {
    name, factory, priority, order: registrations++,
    ...(options.byName ? { byName: options.byName } : {}),
    ...(options.asyncOnly === true ? { syncInit: false } : {}),
  });
}

export function unregisterBackend(name: string): boolean {
  return entries.delete(name);
}

function byPriority(): Entry[] {
  return [...entries.values()].sort((a, b) => b.priority - a.priority || a.order - b.order);
}

/** Registered backend names, best (highest priority) first. */
export function registeredBackends(): string[] {
  return byPriority().map((e) => e.name);
}

function entryFor(name: string): Entry {
  const entry = entries.get(name);
  if (!entry) {
    throw new InvalidArgumentError(`unknown backend '${name}'; registered backends: ${registeredBackends().join(', ') || 'none'}`);
  }
  return entry;
}

/** The bare reason behind each UnavailableError made here, so reports need not parse messages. */
const reasons = new WeakMap<Error, string>();

function reasonOf(cause: unknown): string {
  if (cause instanceof Error) return reasons.get(cause) ?? cause.message;
  return String(cause);
}

function unavailable(name: string, cause: unknown): UnavailableError {
  const reason = reasonOf(cause);
  const error = new UnavailableError(`backend '${name}' is unavailable: ${reason}`);
  reasons.set(error, reason);
  return error;
}

function isPromiseLike(value: unknown): value is PromiseLike<Backend> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A factory written in plain JS can return anything: check the contract before a session relies on it. */
function checked(name: string, made: unknown): Backend {
  const missing = missingMethods(made);
  if (missing.length > 0) throw unavailable(name, `its factory returned an object without ${missing.join(', ')}`);
  return made as Backend;
}

/** Calls the factory once; a synchronous throw becomes UnavailableError, and the sync/async kind is remembered. */
function callFactory(entry: Entry): Backend | Promise<Backend> {
  let made: unknown;
  try {
    made = entry.factory();
  } catch (e) {
    throw unavailable(entry.name, e);
  }
  entry.syncInit = !isPromiseLike(made);
  if (entry.syncInit) return checked(entry.name, made);
  return Promise.resolve(made).then(
    (b) => checked(entry.name, b),
    (e: unknown) => Promise.reject(unavailable(entry.name, e)),
  );
}

/**
 * Calls the factory: a Backend when it initialises synchronously (cpu), else a Promise (WebAssembly
 * compilation, a GPU adapter). Failures become UnavailableError naming the backend and the reason.
 */
export function instantiateBackend(name: string): Backend | Promise<Backend> {
  return callFactory(entryFor(name));
}

export async function createBackend(name: string): Promise<Backend> {
  return instantiateBackend(name);
}

/** Records an outcome learnt outside a probe (a failed or async init), so later calls skip the backend. */
function remember(entry: Entry, info: BackendInfo): void {
  entry.settled ??= info;
  entry.probe ??= Promise.resolve(info);
}

function failedInfo(entry: Entry, cause: unknown): BackendInfo {
  return { name: entry.name, priority: entry.priority, available: false, reason: reasonOf(cause), syncInit: entry.syncInit };
}

function describeBackend(entry: Entry, backend: Backend): BackendInfo {
  return {
    name: entry.name, priority: entry.priority, available: true, syncInit: entry.syncInit,
    capabilities: backend.capabilities, fusedKernels: fusedKernelsOf(backend),
  };
}

/** Tries the factory once, describes what it made, and disposes it: probing must not hold devices or memory. */
async function probeOnce(entry: Entry, made?: Backend | Promise<Backend>): Promise<BackendInfo> {
  let info: BackendInfo;
  try {
    const backend = await (made ?? callFactory(entry));
    info = describeBackend(entry, backend);
    try {
      backend.dispose();
    } catch {
      // A backend that cannot tidy up after a probe is still usable; the report is about availability.
    }
  } catch (e) {
    info = failedInfo(entry, e);
  }
  entry.settled = info;
  return info;
}

function probe(entry: Entry): Promise<BackendInfo> {
  entry.probe ??= probeOnce(entry);
  return entry.probe;
}

/** Every registered backend, best first, with whether it initialises here and why not. Cached per backend. */
export function availableBackends(): Promise<BackendInfo[]> {
  return Promise.all(byPriority().map(probe));
}

/** One backend's availability (probing only it), for commands that name a backend. */
export function backendInfo(name: string): Promise<BackendInfo> {
  return probe(entryFor(name));
}

/**
 * The highest-priority backend whose factory returns synchronously without throwing: the default of
 * `new Session()`, which must construct synchronously and support `runSync`. Async backends are
 * skipped (their pending instance is probed and disposed in the background).
 */
export function bestBackendSync(): Backend {
  const why: string[] = [];
  for (const entry of byPriority()) {
    const known = entry.settled;
    if (known && !known.available) {
      why.push(`${entry.name}: ${known.reason}`);
      continue;
    }
    if (entry.syncInit === false) {
      why.push(`${entry.name}: initialises asynchronously (use {backend: '${BEST}'})`);
      continue;
    }
    let made: Backend | Promise<Backend>;
    try {
      made = callFactory(entry);
    } catch (e) {
      remember(entry, failedInfo(entry, e));
      why.push(`${entry.name}: ${reasonOf(e)}`);
      continue;
    }
    if (!(made instanceof Promise)) return made;
    entry.probe ??= probeOnce(entry, made);
    why.push(`${entry.name}: initialises asynchronously (use {backend: '${BEST}'})`);
  }
  throw new UnavailableError(`no backend initialises synchronously: ${why.join('; ') || 'none registered'}`);
}

/** The highest-priority backend that initialises, awaiting async ones; all reasons in one error if none does. */
export async function createBestBackend(): Promise<Backend> {
  const why: string[] = [];
  for (const entry of byPriority()) {
    const known = entry.settled;
    if (known && !known.available) {
      why.push(`${entry.name}: ${known.reason}`);
      continue;
    }
    try {
      return await callFactory(entry);
    } catch (e) {
      const info = failedInfo(entry, e);
      remember(entry, info);
      why.push(`${entry.name}: ${info.reason}`);
    }
  }
  throw new UnavailableError(`no backend is available: ${why.join('; ') || 'none registered'}`);
}

/** The backend named by TINYFLOW_BACKEND, where there is a process environment (Node) and it is set. */
export function envBackendName(): string | undefined {
  // Guarded: the registry also runs in the renderer and in workers, where `process` does not exist.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const name = env?.TINYFLOW_BACKEND?.trim();
  return name ? name : undefined;
}

/** A backend by name (its `byName` factory where it has one), or the best one for 'best' (always asynchronous). */
export function resolveBackend(name: string): Backend | Promise<Backend> {
  if (name === BEST) return createBestBackend();
  const entry = entryFor(name);
  return entry.byName ? callByName(entry, entry.byName) : callFactory(entry);
}

/** Like callFactory, for the by-name factory: what it makes says nothing about the default factory's availability. */
function callByName(entry: Entry, factory: BackendFactory): Backend | Promise<Backend> {
  let made: unknown;
  try {
    made = factory();
  } catch (e) {
    throw unavailable(entry.name, e);
  }
  if (!isPromiseLike(made)) return checked(entry.name, made);
  return Promise.resolve(made).then(
    (b) => checked(entry.name, b),
    (e: unknown) => Promise.reject(unavailable(entry.name, e)),
  );
}

/** What a session gets with no backend option: TINYFLOW_BACKEND when set, else the best synchronous backend. */
export function defaultBackend(): Backend | Promise<Backend> {
  const name = envBackendName();
  return name === undefined ? bestBackendSync() : resolveBackend(name);
}
