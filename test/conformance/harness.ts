/**
 * What every conformance group works with: the backend under test, the cpu reference, the tolerance
 * table, and `check`, which registers one test under a stable id. Buffers are made in a Scope and all
 * freed after the result is read, so the suite itself exercises `free` on every backend.
 */
import { it, type TestContext } from 'vitest';
import type { Backend, BackendBuffer, BackendFactory, DType, TypedArray } from '../../backends/interface';
import { createCpuBackend } from '../../backends/cpu';
import { typedArrayFrom } from '../../src-core/graph/dtype';

export interface Tolerance {
  /** Relative part, against |want| or against the accumulation magnitude where a check says so. */
  readonly rtol: number;
  readonly atol: number;
}

/** The keys of the tolerance table (values and reasons: DEFAULT_TOLERANCES in index.ts). */
export interface ToleranceTable {
  readonly exact: Tolerance;
  readonly arithmetic: Tolerance;
  readonly transcendental: Tolerance;
  readonly pow: Tolerance;
  readonly reduceSum: Tolerance;
  readonly reduceProd: Tolerance;
  readonly reduceLarge: Tolerance;
  readonly matmul: Tolerance;
  readonly softmax: Tolerance;
  readonly elementwiseFused: Tolerance;
  readonly fusedVsPrimitives: Tolerance;
  readonly matmulEpilogue: Tolerance;
  readonly crossEntropy: Tolerance;
  readonly trainingLoss: Tolerance;
  readonly trainingWeights: Tolerance;
}

/** A check expected to fail on this backend, with the reason (a known bug, reported). */
export type ExpectedFailures = Readonly<Record<string, string>>;

export class Scope {
  private readonly buffers: BackendBuffer[] = [];
  constructor(readonly backend: Backend) {}

  alloc(dtype: DType, size: number): BackendBuffer {
    const buffer = this.backend.alloc(dtype, size);
    this.buffers.push(buffer);
    return buffer;
  }

  upload(dtype: DType, values: ArrayLike<number>): BackendBuffer {
    const buffer = this.alloc(dtype, values.length);
    this.backend.write(buffer, typedArrayFrom(dtype, values));
    return buffer;
  }

  freeAll(): void {
    for (const b of this.buffers.splice(0)) this.backend.free(b);
  }
}

export type Body = (scope: Scope) => BackendBuffer;

export class Harness {
  private subject: Backend | undefined;
  private ref: Backend | undefined;
  private readonly used = new Set<string>();

  constructor(
    readonly factory: BackendFactory,
    readonly tol: ToleranceTable,
    private readonly expectedFailures: ExpectedFailures,
  ) {}

  async setUp(): Promise<void> {
    this.subject = await this.factory();
    this.ref = createCpuBackend();
  }

  tearDown(): void {
    this.subject?.dispose();
    this.ref?.dispose();
  }

  get backend(): Backend {
    if (this.subject === undefined) throw new Error('conformance: the backend under test has not been created');
    return this.subject;
  }

  /** The cpu backend: the semantic reference where the contract leaves details to it. */
  get reference(): Backend {
    if (this.ref === undefined) throw new Error('conformance: the reference backend has not been created');
    return this.ref;
  }

  supports(dtype: DType): boolean {
    return this.backend.capabilities.dtypes.includes(dtype);
  }

  /** Runs `body` on `backend`, reads the buffer it returns, and frees everything it made. */
  async compute(backend: Backend, body: Body): Promise<TypedArray> {
    const [result] = await this.computeAll(backend, (scope) => [body(scope)]);
    return result;
  }

  /** `compute` for a body with several outputs, read in order. */
  async computeAll(backend: Backend, body: (scope: Scope) => BackendBuffer[]): Promise<TypedArray[]> {
    const scope = new Scope(backend);
    try {
      const outputs = body(scope);
      const results: TypedArray[] = [];
      for (const out of outputs) results.push(await backend.read(out));
      return results;
    } finally {
      scope.freeAll();
    }
  }

  /** The same body on the backend under test (`got`) and on cpu (`want`). */
  async both(body: Body): Promise<{ got: TypedArray; want: TypedArray }> {
    return { got: await this.compute(this.backend, body), want: await this.compute(this.reference, body) };
  }

  /**
   * Registers one test under a stable id (shown in its title). An id listed in expectedFailures runs as
   * `it.fails`: it must keep failing, so fixing the bug turns the entry into an error to remove.
   * `skipIf` is for checks that wait on framework features (an op not written yet), never on a backend.
   */
  check(id: string, title: string, fn: (t: TestContext) => Promise<void> | void, skipIf = false): void {
    if (this.used.has(id)) throw new Error(`conformance: check id '${id}' is registered twice`);
    this.used.add(id);
    const reason = this.expectedFailures[id];
    if (reason !== undefined && !skipIf) it.fails(`[${id}] ${title} (expected to fail: ${reason})`, fn);
    else it.skipIf(skipIf)(`[${id}] ${title}`, fn);
  }

  /** Ids in expectedFailures that name no check: a typo would otherwise silently hide nothing. */
  unknownExpectedFailures(): string[] {
    return Object.keys(this.expectedFailures).filter((id) => !this.used.has(id));
  }
}
