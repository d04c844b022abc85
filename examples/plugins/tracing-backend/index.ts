/**
 * tinyflow-backend-tracing: wraps any backend and counts kernel calls and time per primitive.
 * `register()` adds 'tracing', wrapping a registered backend by name.
 */
import { instantiateBackend, registerBackend, registeredBackends } from '../../../backends';
import type { Backend, BackendFactory } from '../../../backends/interface';
import { TracingBackend } from './tracing';

export { TracingBackend, formatStats, type PrimitiveStats } from './tracing';

export function createTracingBackend(inner: Backend): TracingBackend {
  return new TracingBackend(inner);
}

/** A factory that traces whatever `inner` makes, sync or async. */
export function tracingFactory(inner: BackendFactory): BackendFactory {
  return () => {
    const made = inner();
    return made instanceof Promise ? made.then(createTracingBackend) : createTracingBackend(made);
  };
}

export interface RegisterTracingOptions {
  /** The registered backend to wrap (default 'cpu'); named, not 'best', so 'tracing' can never wrap itself. */
  inner?: string;
  /** Lowest by default: a wrapper is for looking, never the backend a session picks by itself. */
  priority?: number;
}

export function register({ inner = 'cpu', priority = -100 }: RegisterTracingOptions = {}): void {
  if (registeredBackends().includes('tracing')) return;
  registerBackend('tracing', tracingFactory(() => instantiateBackend(inner)), { priority });
}
