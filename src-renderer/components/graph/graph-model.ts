/**
 * What the graph viewer draws, before any geometry: name scopes (the '/' prefixes of node names) folded
 * into boxes unless expanded, init-only ops left out unless asked for, and the edges between whatever is
 * visible aggregated into one edge with a count.
 */
import type { GraphNodeKind } from '../../../src-app-api/schemas';

export interface ViewNode {
  id: string;
  op: string;
  kind: GraphNodeKind;
  init: boolean;
  timeMs: number | null;
}

export interface GraphData<N extends ViewNode = ViewNode> {
  nodes: readonly N[];
  edges: readonly (readonly [string, string])[];
}

export interface ViewOptions {
  /** Scope paths drawn open (their members inside a cluster); every other scope is one box. */
  expanded: ReadonlySet<string>;
  showInit: boolean;
}

/** A drawn item: a node, or a collapsed scope standing for `count` nodes. `parent`: the open scope it sits in. */
export type VisibleItem<N extends ViewNode = ViewNode> =
  | { key: string; type: 'node'; parent: string | null; node: N }
  | { key: string; type: 'scope'; parent: string | null; path: string; count: number; kind: GraphNodeKind; timeMs: number | null };

export interface VisibleCluster {
  key: string;
  path: string;
  parent: string | null;
  count: number;
}

export interface VisibleEdge {
  from: string;
  to: string;
  /** How many graph edges this drawn edge stands for. */
  count: number;
}

export interface VisibleGraph<N extends ViewNode = ViewNode> {
  items: VisibleItem<N>[];
  clusters: VisibleCluster[];
  edges: VisibleEdge[];
}

export const nodeKey = (id: string): string => `n:${id}`;
/** A scope's name as its box says it: relative to the open scope around it ('Adam/update' at the top). */
export function scopeLabel(path: string, parent: string | null): string {
  const outer = parent === null ? '' : parent.slice(2);
  return outer !== '' && path.startsWith(`${outer}/`) ? path.slice(outer.length + 1) : path;
}
export const scopeKey = (path: string): string => `s:${path}`;

/** 'gradients/conv1/Conv2D_grad/x' → ['gradients', 'gradients/conv1', 'gradients/conv1/Conv2D_grad']. */
export function namePrefixes(id: string): string[] {
  const parts = id.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/**
 * The scopes worth a box, per node: a prefix shared by fewer than two nodes, or one whose members all sit
 * in a single sub-scope (a box holding just one box), is skipped, so every box opens onto something new.
 */
export function scopesOf(nodes: readonly ViewNode[]): Map<string, string[]> {
  const members = new Map<string, number>();
  for (const n of nodes) for (const p of namePrefixes(n.id)) members.set(p, (members.get(p) ?? 0) + 1);
  const kept = (p: string): boolean => (members.get(p) ?? 0) >= 2;
  const raw = new Map(nodes.map((n) => [n.id, namePrefixes(n.id).filter(kept)]));
  // Children of each kept scope: the nodes directly in it and the kept scopes directly under it.
  const children = new Map<string, Set<string>>();
  for (const [id, path] of raw) {
    path.forEach((p, i) => {
      const child = i + 1 < path.length ? scopeKey(path[i + 1]) : nodeKey(id);
      const set = children.get(p) ?? new Set<string>();
      set.add(child);
      children.set(p, set);
    });
  }
  const single = (p: string): boolean => (children.get(p)?.size ?? 0) === 1;
  return new Map([...raw].map(([id, path]) => [id, path.filter((p) => !single(p))]));
}

/** A box's colour: its most common kind of computation; variables only when it holds nothing else (a layer's weights and slots outnumber its two ops). */
function dominantKind(counts: Map<GraphNodeKind, number>): GraphNodeKind {
  let best: GraphNodeKind | null = null;
  let most = -1;
  for (const [k, c] of counts) {
    if (k === 'variable' || k === 'placeholder') continue;
    if (c > most) {
      best = k;
      most = c;
    }
  }
  return best ?? ((counts.get('variable') ?? 0) >= (counts.get('placeholder') ?? 0) ? 'variable' : 'placeholder');
}

/** The drawn items, open scopes and aggregated edges for `options`; pure, so tests and the view share it. */
export function visibleGraph<N extends ViewNode>(data: GraphData<N>, options: ViewOptions): VisibleGraph<N> {
  const shown = data.nodes.filter((n) => options.showInit || !n.init);
  const scopes = scopesOf(shown);
  const repOf = new Map<string, string>();
  const items: VisibleItem<N>[] = [];
  const scopeItems = new Map<string, { count: number; kinds: Map<GraphNodeKind, number>; timeMs: number | null; parent: string | null }>();
  const clusters = new Map<string, VisibleCluster>();
  for (const n of shown) {
    const path = scopes.get(n.id) ?? [];
    let parent: string | null = null;
    let rep: string | null = null;
    for (const p of path) {
      if (options.expanded.has(p)) {
        const key = scopeKey(p);
        const c = clusters.get(key) ?? { key, path: p, parent, count: 0 };
        c.count++;
        clusters.set(key, c);
        parent = key;
        continue;
      }
      rep = scopeKey(p);
      const s = scopeItems.get(p) ?? { count: 0, kinds: new Map(), timeMs: null, parent };
      s.count++;
      s.kinds.set(n.kind, (s.kinds.get(n.kind) ?? 0) + 1);
      if (n.timeMs !== null) s.timeMs = (s.timeMs ?? 0) + n.timeMs;
      scopeItems.set(p, s);
      break;
    }
    if (rep === null) {
      rep = nodeKey(n.id);
      items.push({ key: rep, type: 'node', parent, node: n });
    }
    repOf.set(n.id, rep);
  }
  for (const [path, s] of scopeItems) {
    items.push({ key: scopeKey(path), type: 'scope', parent: s.parent, path, count: s.count, kind: dominantKind(s.kinds), timeMs: s.timeMs });
  }
  const counts = new Map<string, VisibleEdge>();
  for (const [a, b] of data.edges) {
    const from = repOf.get(a);
    const to = repOf.get(b);
    if (from === undefined || to === undefined || from === to) continue;
    const key = `${from}\u0000${to}`;
    const e = counts.get(key);
    if (e) e.count++;
    else counts.set(key, { from, to, count: 1 });
  }
  return { items, clusters: [...clusters.values()], edges: [...counts.values()] };
}

/**
 * Ids of the nodes whose name contains `query`, in graph order, those matching it case for case first
 * ("conv2" finds the conv2 layer before conv1's Conv2D); none for a blank query.
 */
export function searchMatches(nodes: readonly ViewNode[], query: string): string[] {
  const q = query.trim();
  if (q === '') return [];
  const lower = q.toLowerCase();
  const exact: string[] = [];
  const loose: string[] = [];
  for (const n of nodes) {
    if (n.id.includes(q)) exact.push(n.id);
    else if (n.id.toLowerCase().includes(lower)) loose.push(n.id);
  }
  return [...exact, ...loose];
}

/** The scopes to open so that node `id` is drawn itself, not inside a box. */
export function scopesToReveal(nodes: readonly ViewNode[], id: string, showInit: boolean): string[] {
  return scopesOf(nodes.filter((n) => showInit || !n.init)).get(id) ?? [];
}

/** The drawn item standing for node `id` (itself or the box holding it), for highlighting search matches. */
export function representativeOf<N extends ViewNode>(graph: VisibleGraph<N>, nodes: readonly N[], showInit: boolean, id: string): string | null {
  const keys = new Set(graph.items.map((i) => i.key));
  if (keys.has(nodeKey(id))) return nodeKey(id);
  const path = scopesToReveal(nodes, id, showInit);
  for (const p of path) if (keys.has(scopeKey(p))) return scopeKey(p);
  return null;
}
