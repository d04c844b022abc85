/**
 * Geometry for the graph viewer: dagre's layered layout of the visible graph, open scopes as compound
 * clusters around their members. Boxes are given by their top-left corner.
 */
import dagre from '@dagrejs/dagre';
import type { Point } from './crossings';
import { scopeLabel, type ViewNode, type VisibleGraph, type VisibleItem } from './graph-model';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  count: number;
  points: Point[];
}

export interface Layout {
  boxes: Map<string, Box>;
  clusters: Map<string, Box>;
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

export const NODE_HEIGHT = 34;
export const SCOPE_HEIGHT = 40;
/** Roughly the width of one character of the 11 px labels: boxes fit their text without measuring it. */
const CHAR = 6.4;

/** The last part of a name: what a box inside its scope's cluster needs to say. */
export const leaf = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

export function itemSize(item: VisibleItem<ViewNode>): { width: number; height: number } {
  if (item.type === 'node') {
    const chars = Math.max(leaf(item.node.id).length, item.node.op.length);
    return { width: Math.min(220, Math.max(64, 16 + chars * CHAR)), height: NODE_HEIGHT };
  }
  const chars = Math.max(scopeLabel(item.path, item.parent).length + 3, `${item.count} nodes`.length);
  return { width: Math.min(240, Math.max(84, 24 + chars * CHAR)), height: SCOPE_HEIGHT };
}

/**
 * Network simplex ranks best (and on LeNet's open scopes no slower than longest-path). dagre can fail
 * on a compound graph ("Not possible to find intersection inside of the rectangle"): longest-path is
 * tried then, before the error reaches the view.
 */
export function layoutGraph<N extends ViewNode>(graph: VisibleGraph<N>): Layout {
  try {
    return layoutWith(graph, 'network-simplex');
  } catch {
    return layoutWith(graph, 'longest-path');
  }
}

function layoutWith<N extends ViewNode>(graph: VisibleGraph<N>, ranker: 'network-simplex' | 'longest-path'): Layout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 34, edgesep: 8, marginx: 16, marginy: 16, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of graph.clusters) g.setNode(c.key, {});
  for (const c of graph.clusters) if (c.parent !== null) g.setParent(c.key, c.parent);
  for (const item of graph.items) {
    g.setNode(item.key, itemSize(item));
    if (item.parent !== null) g.setParent(item.key, item.parent);
  }
  // Heavier aggregated edges pull their ends closer and straighter.
  for (const e of graph.edges) g.setEdge(e.from, e.to, { weight: Math.min(8, e.count), minlen: 1 });
  dagre.layout(g);

  const boxOf = (key: string): Box => {
    const n = g.node(key) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const boxes = new Map(graph.items.map((i) => [i.key, boxOf(i.key)]));
  const clusters = new Map(graph.clusters.map((c) => [c.key, boxOf(c.key)]));
  const edges = graph.edges.map((e) => ({ ...e, points: ((g.edge(e.from, e.to) as { points?: Point[] }).points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const label = g.graph() as { width?: number; height?: number };
  return { boxes, clusters, edges, width: label.width ?? 0, height: label.height ?? 0 };
}
