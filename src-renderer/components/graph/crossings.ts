/**
 * Edge crossings of a drawn graph: pairs of straight segments from different edges that cross. The
 * measure behind the viewer's layout choices (issue 15: LeNet's old single-sheet diagram had 5,163).
 */
export interface Point {
  x: number;
  y: number;
}

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Whether segments pq and rs cross at a point inside both (touching ends and collinear overlaps do not count). */
export function segmentsCross(p: Point, q: Point, r: Point, s: Point): boolean {
  const d1 = cross(r, s, p);
  const d2 = cross(r, s, q);
  const d3 = cross(p, q, r);
  const d4 = cross(p, q, s);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Crossings between the polylines (one per edge); a bounding-box test skips most pairs. */
export function countCrossings(polylines: readonly (readonly Point[])[]): number {
  interface Seg { edge: number; p: Point; q: Point; x0: number; x1: number; y0: number; y1: number }
  const segs: Seg[] = [];
  polylines.forEach((line, edge) => {
    for (let i = 0; i + 1 < line.length; i++) {
      const p = line[i];
      const q = line[i + 1];
      segs.push({ edge, p, q, x0: Math.min(p.x, q.x), x1: Math.max(p.x, q.x), y0: Math.min(p.y, q.y), y1: Math.max(p.y, q.y) });
    }
  });
  segs.sort((a, b) => a.x0 - b.x0);
  let count = 0;
  for (let i = 0; i < segs.length; i++) {
    const a = segs[i];
    for (let j = i + 1; j < segs.length && segs[j].x0 <= a.x1; j++) {
      const b = segs[j];
      if (b.edge === a.edge || b.y0 > a.y1 || b.y1 < a.y0) continue;
      if (segmentsCross(a.p, a.q, b.p, b.q)) count++;
    }
  }
  return count;
}
