/**
 * The backend registry: backends register a factory under a unique name with a priority; sessions
 * create them by name. A factory that fails reports why, and never takes the others down with it.
 */
import { InvalidArgumentError, UnavailableError } from '../src-core/errors';
import type { Backend, BackendFactory } from './interface';

export interface RegisterOptions {
  /** Higher wins when a session asks for the best available backend. */
  priority?: number;
}

interface Entry {
  name: string;
  factory: BackendFactory;
  priority: number;
}

const entries = new Map<string, Entry>();

export function registerBackend(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
  if (!/^[a-z][a-z0-9_-]*$/i.test(name)) {
    throw new InvalidArgumentError(`registerBackend: '${name}' is not a valid backend name (letters, digits, '-', '_')`);
  }
  if (typeof factory !== 'function') throw new InvalidArgumentError(`registerBackend('${name}'): factory must be a function`);
  if (entries.has(name)) throw new InvalidArgumentError(`registerBackend: a backend named '${name}' is already registered`);
  entries.set(name, { name, factory, priority: options.priority ?? 0 });
}

export function unregisterBackend(name: string): boolean {
  return entries.delete(name);
}

/** Registered backend names, best (highest priority) first. */
export function registeredBackends(): string[] {
  return [...entries.values()].sort((a, b) => b.priority - a.priority).map((e) => e.name);
}

function entryFor(name: string): Entry {
  const entry = entries.get(name);
  if (!entry) {
    throw new InvalidArgumentError(`unknown backend '${name}'; registered backends: ${registeredBackends().join(', ') || 'none'}`);
  }
  return entry;
}

function unavailable(name: string, cause: unknown): UnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UnavailableError(`backend '${name}' is unavailable: ${reason}`);
}

/**
 * Calls the factory: a Backend when it initialises synchronously (cpu), else a Promise (WebAssembly
 * compilation, a GPU adapter). Failures become UnavailableError naming the backend and the reason.
 */
export function instantiateBackend(name: string): Backend | Promise<Backend> {
  const entry = entryFor(name);
  let made: Backend | Promise<Backend>;
  try {
    made = entry.factory();
  } catch (e) {
    throw unavailable(name, e);
  }
  return made instanceof Promise ? made.catch((e: unknown) => Promise.reject(unavailable(name, e))) : made;
}

export async function createBackend(name: string): Promise<Backend> {
  return instantiateBackend(name);
}
