import { afterEach, describe, expect, it, vi } from 'vitest';
import { explainCommand } from './explain';
import { main } from '../main';

afterEach(() => vi.restoreAllMocks());

async function runExplain(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  const code = await explainCommand(argv);
  return { code, out: lines.join('\n') };
}

describe('tinyflow explain', () => {
  it("prints the softmax training step's plan: passes, the in-place update of W, memory", async () => {
    const { code, out } = await runExplain(['--backend', 'cpu', '--batch', '32']);
    expect(code).toBe(0);
    expect(out).toMatch(/^softmax, batch 32: one training step\nplan on cpu: \d+ nodes, \d+ kernels per step/);
    expect(out).toMatch(/in place into W/);
    expect(out).toMatch(/memory: \d+ buffers, .* peak for the step/);
  });

  it('with --off all, nothing is fused or updated in place, and --json gives the data', async () => {
    const { out } = await runExplain(['--backend', 'cpu', '--model', 'mlp', '--off', 'all', '--json']);
    const plan = JSON.parse(out) as { nodes: { type: string; writesVariable?: string }[]; passes: { enabled: boolean }[] };
    expect(plan.passes.filter((p) => p.enabled).map((p) => p)).toHaveLength(1); // dead-code removal always runs
    expect(plan.nodes.some((n) => n.type.startsWith('Fused') || n.writesVariable)).toBe(false);
  });

  it('names an unknown pass with the usage text', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    expect(await main(['explain', '--off', 'fusoin'])).toBe(2);
    expect(errors.join('\n')).toMatch(/--off: unknown pass fusoin \(choose from constantFolding, cse/);
  });
});
