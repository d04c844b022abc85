/**
 * The graph viewer's pure parts: scopes folded into boxes, init ops hidden, edges aggregated with
 * counts, search and reveal, the crossing counter, the viewport maths; and on the real LeNet graph
 * (from the worker's own payload) the crossings of the dagre layout against the old single sheet.
 */
import { describe, expect, it } from 'vitest';
import { modelGraph } from '../../../src-main/worker/inspect';
import { ModelRuntime } from '../../../src-main/worker/model-runtime';
import { countCrossings, segmentsCross } from './crossings';
import { layoutGraph } from './graph-layout';
import { namePrefixes, nodeKey, scopeLabel, representativeOf, scopeKey, scopesOf, scopesToReveal, searchMatches, visibleGraph, type ViewNode } from './graph-model';
import { fitView, overview, placeAt, toScreen, zoomAt } from './viewport';

const node = (id: string, extra: Partial<ViewNode> = {}): ViewNode => ({ id, op: 'Op', kind: 'op', init: false, timeMs: null, ...extra });

/** A small TF-1-shaped graph: a dense layer, its gradients, the optimizer, and init ops. */
const NODES: ViewNode[] = [
  node('x', { kind: 'placeholder' }),
  node('dense/w', { kind: 'variable' }),
  node('dense/w/Assign', { init: true }),
  node('dense/random', { init: true }),
  node('dense/MatMul', { timeMs: 2 }),
  node('dense/Add', { timeMs: 1 }),
  node('loss'),
  node('gradients/dense/MatMul_grad/MatMul', { kind: 'gradient' }),
  node('gradients/dense/MatMul_grad/MatMul_1', { kind: 'gradient' }),
  node('gradients/loss_grad', { kind: 'gradient' }),
  node('Adam/update/Mul', { kind: 'optimizer' }),
  node('Adam/update/Sub', { kind: 'optimizer' }),
  node('solo/only'),
];
const EDGES: [string, string][] = [
  ['dense/random', 'dense/w/Assign'],
  ['dense/w', 'dense/w/Assign'],
  ['x', 'dense/MatMul'],
  ['dense/w', 'dense/MatMul'],
  ['dense/MatMul', 'dense/Add'],
  ['dense/Add', 'loss'],
  ['loss', 'gradients/loss_grad'],
  ['gradients/loss_grad', 'gradients/dense/MatMul_grad/MatMul'],
  ['gradients/loss_grad', 'gradients/dense/MatMul_grad/MatMul_1'],
  ['x', 'gradients/dense/MatMul_grad/MatMul_1'],
  ['gradients/dense/MatMul_grad/MatMul_1', 'Adam/update/Mul'],
  ['Adam/update/Mul', 'Adam/update/Sub'],
  ['dense/w', 'Adam/update/Sub'],
];
const DATA = { nodes: NODES, edges: EDGES };
const keysOf = (items: { key: string }[]) => items.map((i) => i.key).sort();

describe('scopes', () => {
  it('are labelled relative to the open scope around them', () => {
    expect(scopeLabel('Adam/update', null)).toBe('Adam/update');
    expect(scopeLabel('gradients/conv1', 's:gradients')).toBe('conv1');
  });

  it('are the / prefixes of a name', () => {
    expect(namePrefixes('gradients/conv1/Conv2D_grad/x')).toEqual(['gradients', 'gradients/conv1', 'gradients/conv1/Conv2D_grad']);
    expect(namePrefixes('x')).toEqual([]);
  });

  it('skip a prefix of one node and a box that would only hold one box', () => {
    const scopes = scopesOf(NODES);
    expect(scopes.get('solo/only')).toEqual([]); // 'solo' holds one node: no box
    expect(scopes.get('dense/w/Assign')).toEqual(['dense']); // 'dense/w' is the variable's own name and holds one op
    // 'Adam' holds only 'Adam/update': one box, not a box in a box.
    expect(scopes.get('Adam/update/Mul')).toEqual(['Adam/update']);
    expect(scopes.get('gradients/dense/MatMul_grad/MatMul')).toEqual(['gradients', 'gradients/dense/MatMul_grad']);
  });
});

describe('visibleGraph', () => {
  it('folds every scope into a box with its node count and aggregates the edges between boxes with a count', () => {
    const g = visibleGraph(DATA, { expanded: new Set(), showInit: false });
    expect(keysOf(g.items)).toEqual(['n:loss', 'n:solo/only', 'n:x', 's:Adam/update', 's:dense', 's:gradients'].sort());
    const box = (path: string) => g.items.find((i) => i.key === scopeKey(path));
    expect(box('dense')).toMatchObject({ type: 'scope', count: 3, kind: 'op' }); // w, MatMul, Add; the two init ops are hidden
    expect(box('gradients')).toMatchObject({ type: 'scope', count: 3, kind: 'gradient' });
    expect(box('Adam/update')).toMatchObject({ count: 2, kind: 'optimizer' });
    expect(box('dense')).toMatchObject({ timeMs: 3 });
    const edge = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to)?.count;
    expect(edge('n:x', 's:dense')).toBe(1);
    expect(edge('n:x', 's:gradients')).toBe(1);
    expect(edge('s:dense', 'n:loss')).toBe(1);
    expect(edge('s:dense', 's:Adam/update')).toBe(1);
    expect(edge('s:gradients', 's:Adam/update')).toBe(1);
    // Edges inside a box vanish; no edge from a box to itself.
    expect(g.edges.every((e) => e.from !== e.to)).toBe(true);
    expect(g.edges).toHaveLength(6);
    expect(g.clusters).toEqual([]);
  });

  it('counts several graph edges between the same two boxes as one edge', () => {
    const nodes = [node('a/1'), node('a/2'), node('b/1'), node('b/2')];
    const edges: [string, string][] = [['a/1', 'b/1'], ['a/1', 'b/2'], ['a/2', 'b/2'], ['a/1', 'a/2']];
    const g = visibleGraph({ nodes, edges }, { expanded: new Set(), showInit: false });
    expect(g.edges).toEqual([{ from: 's:a', to: 's:b', count: 3 }]);
    const open = visibleGraph({ nodes, edges }, { expanded: new Set(['b']), showInit: false });
    expect(open.edges.sort((x, y) => x.to.localeCompare(y.to))).toEqual([{ from: 's:a', to: 'n:b/1', count: 1 }, { from: 's:a', to: 'n:b/2', count: 2 }]);
  });

  it('draws an open scope as a cluster around its members, nested in the open scope around it', () => {
    const g = visibleGraph(DATA, { expanded: new Set(['gradients', 'gradients/dense/MatMul_grad']), showInit: false });
    expect(g.clusters).toEqual([
      { key: 's:gradients', path: 'gradients', parent: null, count: 3 },
      { key: 's:gradients/dense/MatMul_grad', path: 'gradients/dense/MatMul_grad', parent: 's:gradients', count: 2 },
    ]);
    const item = (key: string) => g.items.find((i) => i.key === key);
    expect(item('n:gradients/loss_grad')?.parent).toBe('s:gradients');
    expect(item('n:gradients/dense/MatMul_grad/MatMul')?.parent).toBe('s:gradients/dense/MatMul_grad');
    expect(g.edges.find((e) => e.from === 'n:gradients/dense/MatMul_grad/MatMul_1')).toEqual({ from: 'n:gradients/dense/MatMul_grad/MatMul_1', to: 's:Adam/update', count: 1 });
  });

  it('hides init-only ops unless asked, and then counts and connects them', () => {
    const hidden = visibleGraph(DATA, { expanded: new Set(['dense']), showInit: false });
    expect(hidden.items.some((i) => i.type === 'node' && i.node.init)).toBe(false);
    const shown = visibleGraph(DATA, { expanded: new Set(['dense']), showInit: true });
    expect(keysOf(shown.items)).toEqual(expect.arrayContaining(['n:dense/w/Assign', 'n:dense/random']));
    expect(shown.edges).toContainEqual({ from: 'n:dense/random', to: 'n:dense/w/Assign', count: 1 });
    expect(visibleGraph(DATA, { expanded: new Set(), showInit: true }).items.find((i) => i.key === 's:dense')).toMatchObject({ count: 5 });
  });
});

describe('search', () => {
  it('finds names case-insensitively, opens the scopes of a match and highlights the box holding it', () => {
    expect(searchMatches(NODES, 'MATMUL')).toEqual(['dense/MatMul', 'gradients/dense/MatMul_grad/MatMul', 'gradients/dense/MatMul_grad/MatMul_1']);
    // Matches with the query's own case come first: the conv2 layer before conv1's Conv2D.
    expect(searchMatches([node('conv1/Conv2D'), node('conv2/w'), node('conv2/Conv2D')], 'conv2')).toEqual(['conv2/w', 'conv2/Conv2D', 'conv1/Conv2D']);
    expect(searchMatches(NODES, '  ')).toEqual([]);
    expect(scopesToReveal(NODES, 'gradients/dense/MatMul_grad/MatMul', false)).toEqual(['gradients', 'gradients/dense/MatMul_grad']);
    const closed = visibleGraph(DATA, { expanded: new Set(), showInit: false });
    expect(representativeOf(closed, NODES, false, 'gradients/dense/MatMul_grad/MatMul')).toBe('s:gradients');
    const open = visibleGraph(DATA, { expanded: new Set(['gradients', 'gradients/dense/MatMul_grad']), showInit: false });
    expect(representativeOf(open, NODES, false, 'gradients/dense/MatMul_grad/MatMul')).toBe(nodeKey('gradients/dense/MatMul_grad/MatMul'));
    // A hidden init op is drawn nowhere.
    expect(representativeOf(closed, NODES, false, 'dense/random')).toBe(null);
  });
});

describe('crossings and viewport', () => {
  it('counts proper crossings between different edges only', () => {
    expect(segmentsCross({ x: 0, y: 0 }, { x: 2, y: 2 }, { x: 0, y: 2 }, { x: 2, y: 0 })).toBe(true);
    expect(segmentsCross({ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 1, y: 1 }, { x: 2, y: 0 })).toBe(false); // shared end
    const x = [[{ x: 0, y: 0 }, { x: 2, y: 2 }], [{ x: 0, y: 2 }, { x: 2, y: 0 }], [{ x: 5, y: 0 }, { x: 5, y: 5 }]];
    expect(countCrossings(x)).toBe(1);
    // A polyline crossing another twice counts twice; its own segments never count.
    expect(countCrossings([[{ x: 0, y: 1 }, { x: 4, y: 1 }], [{ x: 1, y: 0 }, { x: 1, y: 2 }, { x: 3, y: 2 }, { x: 3, y: 0 }]])).toBe(2);
  });

  it('zooms about a point, fits, and places a point', () => {
    const v = zoomAt({ k: 1, tx: 10, ty: 20 }, 2, 110, 120);
    expect(toScreen(v, 100, 100)).toEqual({ x: 110, y: 120 });
    const fit = fitView(1000, 500, 532, 600);
    expect(fit.k).toBeCloseTo(0.5);
    expect(toScreen(fit, 500, 250)).toEqual({ x: 266, y: 300 });
    expect(fitView(10, 10, 800, 600).k).toBe(1.2);
    expect(toScreen(placeAt({ k: 2, tx: 0, ty: 0 }, 5, 5, 300, 40), 5, 5)).toEqual({ x: 300, y: 40 });
    // A tall graph opens readable at its top instead of fitted to a speck.
    expect(overview(400, 5000, 800, 600)).toEqual({ k: 0.7, tx: 260, ty: 16 });
    // Wider than the view: centred on the inputs, but the drawing's edge stays at the view's edge.
    expect(overview(3000, 5000, 800, 600, 1500)).toEqual({ k: 0.7, tx: 400 - 1500 * 0.7, ty: 16 });
    expect(overview(3000, 5000, 800, 600, 100)).toEqual({ k: 0.7, tx: 16, ty: 16 });
    expect(overview(3000, 5000, 800, 600, 2990).tx).toBeCloseTo(800 - 16 - 3000 * 0.7);
    expect(overview(600, 300, 800, 600)).toEqual(fitView(600, 300, 800, 600));
  });
});

describe('LeNet laid out by dagre', () => {
  it('has far fewer crossings than the old single sheet, closed and fully open, and boxes that do not overlap', () => {
    const runtime = new ModelRuntime('lenet', 0.001, 'cpu');
    const graph = modelGraph(runtime);
    runtime.session.close();
    const collapsed = visibleGraph(graph, { expanded: new Set(), showInit: false });
    const lay = layoutGraph(collapsed);
    const closed = countCrossings(lay.edges.map((e) => e.points));
    // The boxes: conv1, conv2, fc1, fc2, gradients, Adam's update.
    expect(collapsed.items.filter((i) => i.type === 'scope').map((i) => (i.type === 'scope' ? i.path : ''))).toEqual(expect.arrayContaining(['conv1', 'conv2', 'fc1', 'fc2', 'gradients']));
    expect(collapsed.items.length).toBeLessThan(40);
    const boxes = [...lay.boxes.values()];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        expect(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
      }
    }
    const all = new Set<string>();
    for (const path of scopesOf(graph.nodes.filter((n) => !n.init)).values()) for (const p of path) all.add(p);
    const open = countCrossings(layoutGraph(visibleGraph(graph, { expanded: all, showInit: false })).edges.map((e) => e.points));
    console.log(`LeNet crossings: ${closed} with scopes closed (${collapsed.items.length} boxes), ${open} fully open (init ops hidden); the old single sheet had 5,163`);
    expect(closed).toBeLessThan(60);
    expect(open).toBeLessThan(1500);
  }, 120_000);
});
