/**
 * tf.Session: runs fetches with feeds on a backend. Plans are compiled once per (fetch set, feed
 * shapes) and cached; variables live on the backend for the session's lifetime.
 */
import type { Backend, BackendBuffer, TypedArray } from '../backends/interface';
import { defaultBackend, resolveBackend } from '../backends/registry';
import { FailedPreconditionError, InvalidArgumentError } from './errors';
import { typedArrayFrom } from './graph/dtype';
import { Graph, getDefaultGraph } from './graph/graph';
import { Operation } from './graph/operation';
import { numElements, formatShape } from './graph/shape';
import { Tensor } from './graph/tensor';
import { NDArray, toNDArray, type ArrayLikeInput } from './ndarray';
import { compilePlan, type Plan, type VariableStore } from './compile/plan';
import { ALL_OPTIMIZATIONS, NO_OPTIMIZATIONS, OPTIMIZATION_NAMES, type Optimizations } from './compile/passes';
import { formatExplanation, type PlanExplanation } from './compile/explain';
import { VariableSnapshots, lostReason, nextBackendAfter, type FailoverEvent, type FailoverOptions } from './session-failover';
import type { VariableAttrs } from './ops/state';
import { normalizeFetches, normalizeSingleFetch, type Fetch, type FetchResult, type NormalizedFetches } from './session-fetches';
import { normalizeFeeds, type FeedDict } from './session-feeds';
import { forgetSession, withDefaultSession } from './session-default';
import { describeValue, optionsOf } from './api/options';
import { runCheckingEachNode, type NonFiniteInput, type NonFiniteValue } from './session-numerics';

export type { Fetch, FetchResult, FeedDict, Optimizations, PlanExplanation, FailoverEvent, FailoverOptions, NonFiniteInput, NonFiniteValue };

/** `sess.explain(...)`: the compiled plan as data, printing as a readable listing. */
export interface Explanation extends PlanExplanation {
  toString(): string;
}

export interface SessionOptions {
  /**
   * A registered backend name ('cpu', 'wasm', 'webgpu', ...), 'best' (the highest-priority backend that
   * initialises, awaited: use `run`), or a backend instance (which the session does not dispose).
   * Default: $TINYFLOW_BACKEND when set (Node), else the best backend that initialises synchronously,
   * so `runSync` works straight away.
   */
  backend?: string | Backend;
  graph?: Graph;
  /**
   * Compiler passes (all on by default): `false` turns every pass off; an object turns off the ones
   * set to false. For debugging a plan and for measuring what each pass is worth.
   */
  optimizations?: boolean | Partial<Optimizations>;
  /**
   * On a backend that can lose its device (webgpu): keep host copies of the variables and, when the
   * device is lost, move them to the next backend by priority and go on. On by default; `false` turns
   * it off (the run then fails with the device-lost error).
   */
  failover?: false | FailoverOptions;
  /**
   * Time every node's kernels on each run, for `sess.profileReport()` (and the app's Inspect view).
   * On a synchronous backend that is the kernels' time; on an asynchronous one (webgpu), only the time
   * to enqueue them.
   */
  profile?: boolean;
}

/** Per-node times of one compiled plan, averaged over the runs that used it. */
export interface PlanProfile {
  /** The plan's fetches and targets, by name. */
  fetches: string[];
  runs: number;
  /** True: the times are the kernels' own (a synchronous backend); false: the time to enqueue them. */
  kernelTimes: boolean;
  nodes: { name: string; type: string; fusedFrom?: string[]; meanMs: number }[];
}

export interface RunOptions {
  feed_dict?: FeedDict;
}

/** A compiled plan and the feeds it was compiled for, found by comparing shapes rather than building a key string. */
interface PlanEntry {
  feeds: { tensor: Tensor; shape: readonly number[] }[];
  plan: Plan;
}

interface VariableSlot {
  buffer: BackendBuffer;
  shape: readonly number[];
  initialized: boolean;
}

export class Session implements VariableStore {
  readonly graph: Graph;
  private backendOrPromise: Backend | Promise<Backend>;
  private ownsBackend: boolean;
  private readonly plans = new Map<string, Plan>();
  /** The same plans by their fetch key (see session-fetches), for the per-run lookup. */
  private readonly plansByFetch = new Map<string, PlanEntry[]>();
  /** Normalized single fetches (a Tensor or an Operation: immutable), so a training loop does not redo them. */
  private readonly singleFetches = new WeakMap<Tensor | Operation, NormalizedFetches>();
  private readonly variables = new Map<Operation, VariableSlot>();
  private closed = false;
  /** The compiler passes this session's plans use. */
  readonly optimizations: Readonly<Optimizations>;
  /** Every move to another backend after a lost device, oldest first. */
  readonly failovers: FailoverEvent[] = [];
  private readonly failoverOptions: FailoverOptions | false;
  private snapshots: VariableSnapshots | null = null;
  private moving: Promise<void> | null = null;
  private readonly profiling: boolean;
  private readonly hostState = new Map<string, unknown>();
  private readonly profiles = new Map<Plan, { fetches: string[]; runs: number; ms: Float64Array }>();
  /** The registry name the backend was asked for by, which a failover must not pick again. */
  private chosenName: string | null = null;
  /** Something a user should know about the backend (a software GPU adapter), once it has initialised; else null. */
  backendNote: string | null = null;

  constructor(sessionOptions: SessionOptions = {}) {
    const options = optionsOf<SessionOptions>('Session', sessionOptions, ['backend', 'graph', 'optimizations', 'failover', 'profile']);
    this.graph = options.graph ?? getDefaultGraph();
    if (!(this.graph instanceof Graph)) throw new InvalidArgumentError(`Session: graph must be a tf.Graph, got ${describeValue(this.graph)}`);
    const choice = options.backend;
    if (choice !== undefined && typeof choice !== 'string' && (typeof choice !== 'object' || choice === null || typeof (choice as Backend).alloc !== 'function')) {
      throw new InvalidArgumentError(`Session: backend must be a backend name or a Backend, got ${describeValue(choice)}`);
    }
    this.optimizations = resolveOptimizations(options.optimizations);
    this.failoverOptions = options.failover ?? {};
    this.profiling = options.profile ?? false;
    if (typeof choice === 'string') this.chosenName = choice;
    // The session disposes only backends it created; an instance passed in belongs to the caller.
    this.ownsBackend = typeof choice !== 'object';
    if (choice === undefined) this.backendOrPromise = defaultBackend();
    else this.backendOrPromise = typeof choice === 'string' ? resolveBackend(choice) : choice;
    if (this.backendOrPromise instanceof Promise) {
      this.backendOrPromise.then((b) => this.adopt(b), () => undefined);
    } else this.adopt(this.backendOrPromise);
  }

  /** Makes `backend` the session's, watching for the loss of its device where that can happen. */
  private adopt(backend: Backend): void {
    this.backendOrPromise = backend;
    this.backendNote = noteFor(backend);
    const options = this.failoverOptions;
    if (options === false || !backend.lost) {
      this.snapshots = null;
      return;
    }
    this.snapshots = new VariableSnapshots(options.snapshotEvery);
    backend.lost.then((reason) => {
      if (!this.closed && this.backendOrPromise === backend) this.moving ??= this.moveAfterLoss(backend, reason);
    }, () => undefined);
  }

  /**
   * Moves every variable to the next backend by priority, from the last host copy, after `lost` lost
   * its device. Plans are recompiled there on the next run.
   */
  private async moveAfterLoss(lost: Backend, reason: string): Promise<void> {
    try {
      const next = await nextBackendAfter([lost.name, ...(this.chosenName ? [this.chosenName] : [])]);
      const snapshots = this.snapshots;
      const missing: string[] = [];
      let restored = 0;
      for (const [op, slot] of this.variables) {
        slot.buffer = next.alloc(op.outputs[0].dtype, numElements(slot.shape));
        const copy = snapshots?.get(op);
        if (copy) {
          next.write(slot.buffer, copy.data);
          restored++;
        } else {
          slot.initialized = false;
          missing.push(op.name);
        }
      }
      // The lost device's buffers are gone with it: nothing to free.
      this.plans.clear();
      this.plansByFetch.clear();
      if (this.ownsBackend) {
        try {
          lost.dispose();
        } catch {
          // A lost device may refuse to tidy up; it holds nothing any more.
        }
      }
      const event: FailoverEvent = { from: lost.name, to: next.name, reason, restored, missing, runsLost: snapshots?.runsLost ?? 0 };
      this.ownsBackend = true;
      this.chosenName = next.name;
      this.adopt(next);
      this.failovers.push(event);
      const notify = this.failoverOptions === false ? undefined : this.failoverOptions.onFailover;
      notify?.(event);
    } finally {
      this.moving = null;
    }
  }

  /** The backend, once it has initialised. */
  async backend(): Promise<Backend> {
    return this.backendOrPromise;
  }

  get backendName(): string | null {
    return this.backendOrPromise instanceof Promise ? null : this.backendOrPromise.name;
  }

  /**
   * Runs the fetches (one, an array, or an object of them) and resolves to results of the same structure.
   * @example
   * ```ts
   * const sess = tf.Session();
   * await sess.run(tf.global_variables_initializer());
   * const [l] = await sess.run([loss, train_step], { feed_dict: [[x, xs], [y_, ys]] }); // [NDArray, null]
   * ```
   */
  run<const F extends Fetch>(fetches: F, feeds?: RunOptions | FeedDict): Promise<FetchResult<F>> {
    return this.runAsync(fetches, feeds) as Promise<FetchResult<F>>;
  }

  private async runAsync(fetches: Fetch, feeds: RunOptions | FeedDict | undefined, retried = false): Promise<unknown> {
    if (this.moving) await this.moving;
    const backend = await this.backendOrPromise;
    try {
      const { plan, rebuild } = this.prepare(backend, fetches, feeds);
      const values = await Promise.all(plan.fetches.map((p) => backend.read(p.buffer)));
      return rebuild(values.map((data, i) => new NDArray(data, plan.fetches[i].shape, plan.fetches[i].dtype)));
    } catch (error) {
      // A lost device fails the run that notices it; the run goes again on the backend the session moved to.
      if (retried) throw error;
      // Another run noticed the loss first and the session has moved on: go again there.
      if (this.backendOrPromise !== backend) return this.runAsync(fetches, feeds, true);
      if (this.snapshots === null) throw error;
      const reason = await lostReason(backend);
      if (reason === null) throw error;
      this.moving ??= this.moveAfterLoss(backend, reason);
      await this.moving;
      return this.runAsync(fetches, feeds, true);
    }
  }

  /**
   * `run` for synchronous backends (cpu, wasm): returns the results directly.
   * @example
   * ```ts
   * const sess = tf.Session({ backend: 'cpu' });
   * const y = sess.runSync(tf.add(1, 2)); // NDArray 3
   * ```
   */
  runSync<const F extends Fetch>(fetches: F, feeds?: RunOptions | FeedDict): FetchResult<F> {
    const backend = this.backendOrPromise;
    if (backend instanceof Promise) {
      throw new FailedPreconditionError('Session.runSync: the backend is still initialising; await session.run(...) instead');
    }
    if (!backend.readSync) {
      throw new FailedPreconditionError(`Session.runSync: backend '${backend.name}' is asynchronous; use await session.run(...)`);
    }
    const { plan, rebuild } = this.prepare(backend, fetches, feeds);
    const ports = plan.fetches;
    const values = new Array<NDArray>(ports.length);
    for (let i = 0; i < ports.length; i++) values[i] = new NDArray(backend.readSync(ports[i].buffer), ports[i].shape, ports[i].dtype);
    return rebuild(values) as FetchResult<F>;
  }

  /**
   * Frees every buffer this session holds; the session cannot run afterwards.
   * @example
   * ```ts
   * const sess = tf.Session();
   * try { await sess.run(tf.add(1, 2)); } finally { sess.close(); }
   * ```
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    forgetSession(this);
    const backend = this.backendOrPromise;
    const release = (b: Backend) => {
      for (const plan of this.plans.values()) for (const buf of plan.ownedBuffers) b.free(buf);
      for (const slot of this.variables.values()) b.free(slot.buffer);
      this.plans.clear();
      this.plansByFetch.clear();
      this.variables.clear();
      if (this.ownsBackend) b.dispose();
    };
    if (backend instanceof Promise) backend.then(release, () => undefined);
    else release(backend);
  }

  /** Whether close() has run. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** `using sess = tf.Session()`: closes the session (frees its buffers) when the block ends. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using sess = tf.Session({backend: 'best'})`: closes it once its backend has initialised. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await Promise.resolve(this.backendOrPromise).catch(() => undefined);
  }

  /**
   * TF-1's `with sess.as_default():` — runs `fn` with this session as the default one, which
   * `t.eval()` and `op.run()` use when given no session. An async `fn` keeps it until it settles.
   */
  as_default<T>(fn: () => T): T {
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError('Session.as_default: pass the code to run with this default session as a function: sess.as_default(() => ...)');
    }
    return withDefaultSession(this, fn);
  }

  /**
   * VariableStore: the variable's buffer on this session's backend, created on first use with `shape`
   * (for a variable of partly unknown shape, the shape of its first assigned value). A variable with a
   * default fill (optimizer state) starts out holding it.
   */
  bufferFor(variable: Operation, shape: readonly number[]): BackendBuffer {
    let slot = this.variables.get(variable);
    if (!slot) {
      const backend = this.backendOrPromise as Backend;
      const t = variable.outputs[0];
      slot = { buffer: backend.alloc(t.dtype, numElements(shape)), shape: [...shape], initialized: false };
      const fill = (variable.attrs as VariableAttrs).default_fill;
      if (fill !== undefined) {
        backend.fill(slot.buffer, fill);
        slot.initialized = true;
      }
      this.variables.set(variable, slot);
    }
    return slot.buffer;
  }

  /** VariableStore: host state shared by all of this session's plans, one value per key. */
  sessionState<T>(key: string, create: () => T): T {
    if (!this.hostState.has(key)) this.hostState.set(key, create());
    return this.hostState.get(key) as T;
  }

  /** VariableStore: the shape of a variable's buffer, once it has one. */
  allocatedShape(variable: Operation): readonly number[] | undefined {
    return this.variables.get(variable)?.shape;
  }

  /** Whether a variable has been given a value in this session. */
  isInitialized(variable: Tensor | Operation): boolean {
    const op = variable instanceof Tensor ? variable.op : variable;
    return this.variables.get(op)?.initialized ?? false;
  }

  /**
   * Runs `fetches` like `run` (variables are updated the same way) on a plan with every compiler pass
   * off, checking each node's outputs as it is made; resolves to the first node, in execution order,
   * whose output holds NaN or ±Infinity (with its op, shape and what its inputs held), or null. Slower
   * than `run`: for finding where a diverging step broke, not for training.
   */
  async findNonFinite(fetches: Fetch, feeds?: RunOptions | FeedDict): Promise<NonFiniteValue | null> {
    if (this.moving) await this.moving;
    const backend = await this.backendOrPromise;
    if (this.closed) throw new FailedPreconditionError('Session.findNonFinite: attempted to use a closed Session');
    const { tensors, targets } = normalizeFetches(fetches, this.graph);
    const feedValues = normalizeFeeds(feedDictOf(feeds), this.graph);
    const feedSpecs = new Map([...feedValues].map(([t, v]) => [t, { shape: v.shape, dtype: v.dtype }]));
    // Not cached: a checking plan is compiled for one diagnosis and freed with it.
    const plan = compilePlan(backend, this, { fetchTensors: tensors, targets, feedSpecs, optimizations: { ...NO_OPTIMIZATIONS } });
    try {
      this.checkInitialized(plan);
      for (const slot of plan.feeds) backend.write(slot.port.buffer, asDType(feedValues.get(slot.tensor) as NDArray, slot.port.dtype));
      const found = await runCheckingEachNode(backend, plan);
      for (const v of plan.assignsVariables) (this.variables.get(v) as VariableSlot).initialized = true;
      if (plan.assignsVariables.length > 0) this.snapshots?.afterAssigningRun(backend, this.variables);
      return found;
    } finally {
      for (const b of plan.ownedBuffers) backend.free(b);
    }
  }

  /**
   * The plan `run(fetches, feeds)` would execute, without running it: its passes, kernels, fused
   * groups, buffers and peak memory. Feeds fix the shapes (their values are not used).
   */
  explain(fetches: Fetch, feeds?: RunOptions | FeedDict): Explanation {
    const backend = this.backendOrPromise;
    if (backend instanceof Promise) {
      throw new FailedPreconditionError('Session.explain: the backend is still initialising; await session.backend() first');
    }
    const { plan } = this.planFor(backend, fetches, feeds);
    const explanation = plan.explanation;
    return { ...explanation, toString: () => formatExplanation(explanation) };
  }

  private planFor(backend: Backend, fetches: Fetch, feeds: RunOptions | FeedDict | undefined) {
    if (this.closed) throw new FailedPreconditionError('Session.run: attempted to use a closed Session');
    const normalized = this.normalized(fetches);
    const { tensors, targets, rebuild } = normalized;
    const feedValues = normalizeFeeds(feedDictOf(feeds), this.graph);
    let entries = this.plansByFetch.get(normalized.key);
    let plan = entries === undefined ? undefined : findPlan(entries, feedValues);
    if (!plan) {
      const feedSpecs = new Map([...feedValues].map(([t, v]) => [t, { shape: v.shape, dtype: v.dtype }]));
      plan = compilePlan(backend, this, { fetchTensors: tensors, targets, feedSpecs, optimizations: this.optimizations });
      this.plans.set(planKey(normalized.key, feedValues), plan);
      if (entries === undefined) this.plansByFetch.set(normalized.key, (entries = []));
      entries.push({ feeds: [...feedValues].map(([tensor, v]) => ({ tensor, shape: v.shape })), plan });
      if (this.profiling) {
        const fetchNames = [...tensors, ...targets].map((f) => f.name);
        this.profiles.set(plan, { fetches: fetchNames, runs: 0, ms: new Float64Array(plan.explanation.nodes.length) });
      }
    }
    return { plan, rebuild, feedValues };
  }

  private normalized(fetches: Fetch): NormalizedFetches {
    if (!(fetches instanceof Tensor) && !(fetches instanceof Operation)) return normalizeFetches(fetches, this.graph);
    let normalized = this.singleFetches.get(fetches);
    if (normalized === undefined) {
      normalized = normalizeSingleFetch(fetches, this.graph);
      this.singleFetches.set(fetches, normalized);
    }
    return normalized;
  }

  private prepare(backend: Backend, fetches: Fetch, feeds: RunOptions | FeedDict | undefined) {
    const { plan, rebuild, feedValues } = this.planFor(backend, fetches, feeds);
    this.checkInitialized(plan);
    for (const slot of plan.feeds) {
      const value = feedValues.get(slot.tensor) as NDArray;
      backend.write(slot.port.buffer, asDType(value, slot.port.dtype));
    }
    if (this.profiling) this.runTimed(plan);
    else for (const step of plan.steps) step();
    for (const v of plan.assignsVariables) (this.variables.get(v) as VariableSlot).initialized = true;
    if (plan.assignsVariables.length > 0) this.snapshots?.afterAssigningRun(backend, this.variables);
    return { plan, rebuild };
  }

  /** Runs a plan's steps node by node, adding each node's time to the plan's profile. */
  private runTimed(plan: Plan): void {
    const nodes = plan.explanation.nodes;
    const profile = this.profiles.get(plan) as { runs: number; ms: Float64Array };
    let next = 0;
    for (let i = 0; i < nodes.length; i++) {
      const start = performance.now();
      for (let k = 0; k < nodes[i].kernels; k++) plan.steps[next++]();
      profile.ms[i] += performance.now() - start;
    }
    profile.runs++;
  }

  /** Per-node mean times of every plan run since the session opened (with `profile: true`). */
  profileReport(): PlanProfile[] {
    const backend = this.backendOrPromise;
    const kernelTimes = !(backend instanceof Promise) && backend.readSync !== undefined;
    return [...this.profiles].map(([plan, p]) => ({
      fetches: p.fetches,
      runs: p.runs,
      kernelTimes,
      nodes: plan.explanation.nodes.map((n, i) => ({
        name: n.name, type: n.type, ...(n.fusedFrom ? { fusedFrom: n.fusedFrom } : {}), meanMs: p.runs > 0 ? p.ms[i] / p.runs : 0,
      })),
    }));
  }

  private checkInitialized(plan: Plan): void {
    for (const v of plan.readsVariables) {
      if (!this.variables.get(v)?.initialized && !plan.assignsVariables.includes(v)) {
        throw new FailedPreconditionError(
          `VariableV2 '${v.name}': attempting to use uninitialized value ${v.name}; run tf.global_variables_initializer() first`,
        );
      }
    }
  }
}

/** Adapters already warned about: the console hears of each once per process, not once per session. */
const warnedAdapters = new Set<string>();

function noteFor(backend: Backend): string | null {
  const adapter = backend.capabilities.adapter;
  if (!adapter?.software) return null;
  const note = `backend '${backend.name}' runs on a software adapter (${adapter.description}), slower than cpu`;
  if (!warnedAdapters.has(note)) {
    warnedAdapters.add(note);
    console.warn(`tinyflow: ${note}; use {backend: 'best'} or 'wasm' for speed`);
  }
  return note;
}

function resolveOptimizations(choice: SessionOptions['optimizations']): Optimizations {
  if (choice === undefined || choice === true) return { ...ALL_OPTIMIZATIONS };
  if (choice === false) return { ...NO_OPTIMIZATIONS };
  const unknown = Object.keys(choice).filter((k) => !(OPTIMIZATION_NAMES as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`Session: unknown optimization(s) ${unknown.join(', ')}; known: ${OPTIMIZATION_NAMES.join(', ')}`);
  }
  return { ...ALL_OPTIMIZATIONS, ...choice };
}

function feedDictOf(arg: RunOptions | FeedDict | undefined): FeedDict | undefined {
  if (arg === undefined || arg instanceof Map || Array.isArray(arg)) return arg as FeedDict | undefined;
  const options = arg as RunOptions;
  const unknown = Object.keys(options).filter((k) => k !== 'feed_dict');
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `Session.run: unknown option(s) ${unknown.join(', ')}; pass feeds as {feed_dict: ...}, a Map or an array of [tensor, value] pairs`,
    );
  }
  return options.feed_dict;
}

function planKey(fetchKey: string, feeds: Map<Tensor, NDArray>): string {
  const d = [...feeds].map(([k, v]) => `${k.name}${formatShape(v.shape)}`).sort().join(',');
  return `${fetchKey}|${d}`;
}

/** The plan compiled for exactly these fed tensors at these shapes, if there is one. */
function findPlan(entries: readonly PlanEntry[], feeds: Map<Tensor, NDArray>): Plan | undefined {
  for (const entry of entries) {
    if (entry.feeds.length !== feeds.size) continue;
    let same = true;
    for (const { tensor, shape } of entry.feeds) {
      const fed = feeds.get(tensor);
      if (fed === undefined || !sameShape(fed.shape, shape)) {
        same = false;
        break;
      }
    }
    if (same) return entry.plan;
  }
  return undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function asDType(value: NDArray, dtype: NDArray['dtype']): TypedArray {
  return value.dtype === dtype ? value.data : typedArrayFrom(dtype, value.data);
}

export type { ArrayLikeInput };
export { toNDArray };
