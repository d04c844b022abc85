/** Registers the backends that ship with tinyflow, best first by priority. */
import { registerBackend, registeredBackends } from './registry';
import { createCpuBackend } from './cpu';

if (!registeredBackends().includes('cpu')) registerBackend('cpu', createCpuBackend, { priority: 0 });
