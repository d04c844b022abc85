/**
 * The built-in cpu backend against the conformance suite. cpu is also the suite's reference, so the
 * primitives are checked against the naive float64 oracles in oracles.ts as well, which is what makes
 * this run meaningful.
 */
import { runConformance } from './index';
import { createCpuBackend } from '../../backends/cpu';

runConformance(createCpuBackend, { name: 'cpu' });
