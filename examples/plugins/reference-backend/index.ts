/**
 * tinyflow-backend-reference: a third-party backend plugin. It exports a factory (what the conformance
 * suite and `tf.Session({backend: instance})` take) and `register()`, which puts it in tinyflow's
 * registry so sessions, `tinyflow info` and the app can select it by name.
 *
 * Imports are relative because this example lives in the tinyflow repository; a published plugin
 * would import the same modules from the tinyflow package.
 */
import { registerBackend, registeredBackends } from '../../../backends';
import type { Backend, BackendFactory } from '../../../backends/interface';
import { ReferenceBackend, type ReferenceOptions } from './backend';

export { ReferenceBackend, type ReferenceOptions } from './backend';

export function createReferenceBackend(options: ReferenceOptions = {}): Backend {
  return new ReferenceBackend(options);
}

export const referenceBackendFactory: BackendFactory = () => createReferenceBackend();

/**
 * Registers 'reference' below cpu (priority -10): it is exact but slow, so it should never be picked
 * as the best backend; sessions ask for it by name. Safe to call twice.
 */
export function register(priority = -10): void {
  if (!registeredBackends().includes('reference')) registerBackend('reference', referenceBackendFactory, { priority });
}
