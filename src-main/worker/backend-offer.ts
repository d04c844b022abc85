/**
 * Which backends the Train form offers, which one it starts on, and why the others are missing. The
 * default is the fastest available one, as a plain `tf.Session()` picks it, and the reasons are the
 * registry's own words, the same text `tinyflow info` prints.
 */
import { availableBackends } from '../../backends';

export interface BackendOffer {
  backends: string[];
  defaultBackend: string;
  unavailableBackends: { backend: string; reason: string }[];
}

export async function backendOffer(): Promise<BackendOffer> {
  // Best first (registry priority), so the first available one is the one 'best' would pick.
  const infos = await availableBackends();
  const backends = infos.filter((b) => b.available).map((b) => b.name);
  return {
    backends,
    defaultBackend: backends[0] ?? 'cpu',
    unavailableBackends: infos.filter((b) => !b.available).map((b) => ({ backend: b.name, reason: b.reason ?? 'unavailable' })),
  };
}
