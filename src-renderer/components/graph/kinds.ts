/** The graph viewer's colour per node kind, shared by the canvas and its legend. */
import type { GraphNodeKind } from '../../../src-app-api/schemas';

export const KIND_STYLE: Record<GraphNodeKind, { fill: string; stroke: string; label: string }> = {
  variable: { fill: '#fde7a9', stroke: '#c99a06', label: 'variable' },
  placeholder: { fill: '#c8ece6', stroke: '#2a9d8f', label: 'placeholder (input)' },
  op: { fill: '#dbe6f6', stroke: '#5b7db1', label: 'op' },
  gradient: { fill: '#f8d3cf', stroke: '#d1495b', label: 'gradient' },
  optimizer: { fill: '#e3d9f3', stroke: '#7d5ba6', label: 'optimizer' },
  fused: { fill: '#cfeccb', stroke: '#3c8d40', label: 'fused kernel' },
};

export const KIND_ORDER: readonly GraphNodeKind[] = ['placeholder', 'variable', 'op', 'gradient', 'optimizer', 'fused'];
