/** A layered layout for the graph diagram: column = longest path from a source, rows in creation order. */
export interface LayoutNode {
  id: string;
  x: number;
  y: number;
}

export function layeredLayout(ids: string[], edges: [string, string][], colWidth: number, rowHeight: number): Map<string, LayoutNode> {
  const depth = new Map(ids.map((id) => [id, 0]));
  // Nodes arrive in creation order, which is topological, so one pass settles every depth.
  const incoming = new Map<string, string[]>();
  for (const [from, to] of edges) incoming.set(to, [...(incoming.get(to) ?? []), from]);
  for (const id of ids) for (const from of incoming.get(id) ?? []) depth.set(id, Math.max(depth.get(id) ?? 0, (depth.get(from) ?? 0) + 1));
  const rows = new Map<number, number>();
  const out = new Map<string, LayoutNode>();
  for (const id of ids) {
    const d = depth.get(id) ?? 0;
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    out.set(id, { id, x: 10 + d * colWidth, y: 10 + r * rowHeight });
  }
  return out;
}
