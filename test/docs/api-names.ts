/**
 * The public functions that ../shared/API.md names, as dotted paths into the generated reference
 * (`tf.nn.relu`, `Session.run`, `np.dot`, `get_mnist`). API.md is prose, so the names come from its
 * backticked code and from the bare op lists of its "Ops" and "np" sections.
 */
const IDENT = /^[A-Za-z_]\w*$/;

/** Bare method calls in API.md that belong to one class: `sess.run`, `toArray()`, `minimize(...)`. */
const METHOD_OWNERS: Record<string, string> = {
  run: 'Session', runSync: 'Session', close: 'Session',
  toArray: 'NDArray', item: 'NDArray', get: 'NDArray',
  minimize: 'train.Optimizer', compute_gradients: 'train.Optimizer', apply_gradients: 'train.Optimizer',
  save: 'train.Saver', restore: 'train.Saver', next_batch: 'DataSet',
};

/** `add, reduce_sum/mean, argmax/argmin (int32)` → add, reduce_sum, reduce_mean, argmax, argmin. */
function bareList(text: string, prefix: string): string[] {
  const out: string[] = [];
  for (const item of text.split(',')) {
    const [first = '', ...rest] = (item.trim().split(/[\s(]/)[0] ?? '').replace(/[.;:]+$/, '').split('/');
    const stem = first.includes('_') ? first.slice(0, first.lastIndexOf('_') + 1) : '';
    for (const w of [first, ...rest.map((r) => (r.includes('_') ? r : stem + r))]) if (IDENT.test(w) && /^[a-z]/.test(w)) out.push(prefix + w);
  }
  return out;
}

export function apiNames(markdown: string): string[] {
  const names = new Set<string>();
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, code] of prose.matchAll(/`([^`]+)`/g)) {
    if (code === undefined) continue;
    for (const [, path] of code.matchAll(/(?<![\w/.-])((?:tf|np)(?:\.[A-Za-z_]\w*)+)/g)) {
      if (path !== undefined && !/^tf\.errors\./.test(path)) names.add(path.replace(/^tf\./, ''));
    }
    for (const [, method] of code.matchAll(/(?:^|[\s.])([A-Za-z_]\w*)(?:\(|$)/g)) {
      const owner = method === undefined ? undefined : METHOD_OWNERS[method];
      if (owner !== undefined) names.add(`${owner}.${method}`);
    }
    if (/^get_mnist\(/.test(code)) names.add('get_mnist');
    // The np section's one code span lists the functions: `np.zeros, ones, array, dot, ...`.
    if (code.startsWith('np.zeros')) for (const n of bareList(code.replace(/^np\./, ''), 'np.')) names.add(n);
  }
  const math = /^- Math: ([\s\S]*?)(?:\n- |\n\n)/m.exec(markdown)?.[1];
  if (math !== undefined) for (const n of bareList(math.replace(/\(with `seed`\)|\([^)]*\)/g, '').split(/, and tinyflow/)[0] ?? '', '')) names.add(n);
  const nn = /^- `tf\.nn`: ([\s\S]*?)(?:\n- |\n\n)/m.exec(markdown)?.[1];
  if (nn !== undefined) for (const n of bareList(nn.replace(/\([^)]*\)/g, ''), 'nn.')) names.add(n);
  const train = /^- `tf\.train`: ([^\n]*)/m.exec(markdown)?.[1];
  if (train !== undefined) for (const [name] of train.matchAll(/\b[A-Z]\w*Optimizer\b/g)) names.add(`train.${name}`);
  // Namespaces, not functions: their members are listed one by one.
  for (const namespace of ['errors', 'nn', 'np', 'train']) names.delete(namespace);
  return [...names].sort();
}
