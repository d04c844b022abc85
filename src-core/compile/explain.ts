/** What `sess.explain(...)` and `tinyflow explain` print: the compiled plan, node by node. */
import type { DType } from '../graph/dtype';
import { formatShape } from '../graph/shape';
import type { BufferStats } from './buffer-planner';
import type { PassReport } from './passes';

export interface ExplainedOutput {
  shape: number[];
  dtype: DType;
  bytes: number;
  /** The plan buffer it lives in (-1: a variable's or an input's buffer, shared not owned). */
  buffer: number;
}

export interface ExplainedNode {
  name: string;
  type: string;
  /** The graph ops a fused node stands for. */
  fusedFrom?: string[];
  /** Backend calls the node emits per step. */
  kernels: number;
  outputs: ExplainedOutput[];
  /** Output 0 is computed straight into this variable (in-place update). */
  writesVariable?: string;
  scratchBytes: number;
}

export interface PlanExplanation {
  backend: string;
  passes: PassReport[];
  nodes: ExplainedNode[];
  /** Backend calls per step. */
  steps: number;
  memory: BufferStats & { variableBytes: number };
}

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A readable listing: passes, then one line per node, then the memory plan's totals. */
export function formatExplanation(e: PlanExplanation): string {
  const lines: string[] = [];
  lines.push(`plan on ${e.backend}: ${e.nodes.length} nodes, ${e.steps} kernels per step`);
  lines.push('passes:');
  for (const p of e.passes) lines.push(`  ${p.name.padEnd(18)} ${p.enabled ? p.summary : 'off'}`);
  lines.push('nodes (kernels, outputs as shape dtype @buffer):');
  for (const n of e.nodes) {
    const outs = n.outputs.map((o) => `${formatShape(o.shape)} ${o.dtype} ${o.buffer >= 0 ? `@${o.buffer}` : '@shared'}`).join(', ');
    const extra = [
      n.fusedFrom ? `fuses ${n.fusedFrom.length}: ${n.fusedFrom.join(' ')}` : '',
      n.writesVariable ? `in place into ${n.writesVariable}` : '',
      n.scratchBytes > 0 ? `scratch ${mib(n.scratchBytes)}` : '',
    ].filter((s) => s !== '');
    lines.push(`  ${String(n.kernels).padStart(2)} ${n.type.padEnd(22)} ${n.name}  -> ${outs}${extra.length ? `  [${extra.join('; ')}]` : ''}`);
  }
  const m = e.memory;
  lines.push(
    `memory: ${m.buffers} buffers, ${mib(m.bytes)} peak for the step (${mib(m.requestedBytes)} without reuse); ` +
      `variables ${mib(m.variableBytes)}`,
  );
  return lines.join('\n');
}
