import { describe, it, expect } from 'vitest';
import { measureFmaPeak } from './peak';

describe('measureFmaPeak', () => {
  it('runs the register-only loop of each artifact on two threads and reports a median GFLOP/s of its repetitions', async () => {
    for (const artifact of ['relaxed-simd', 'simd128'] as const) {
      const peak = await measureFmaPeak({ artifact, threads: 2, repeats: 3, repeatMs: 20 });
      expect(peak).toMatchObject({ artifact, threads: 2 });
      expect(peak.samples).toHaveLength(3);
      for (const s of peak.samples) expect(s).toBeGreaterThan(0);
      expect([...peak.samples].sort((a, b) => a - b)[1]).toBe(peak.gflops);
      // Two cores of any CPU this runs on do well under 10 TFLOP/s with 128-bit vectors: a bigger figure is a miscount.
      expect(peak.gflops).toBeLessThan(10_000);
    }
  });

  it('refuses a thread count or repetition count out of range, naming it', async () => {
    await expect(measureFmaPeak({ threads: 0 })).rejects.toThrow(/threads must be an integer from 1 to 16, got 0/);
    await expect(measureFmaPeak({ threads: 2.5 })).rejects.toThrow(/got 2.5/);
    await expect(measureFmaPeak({ repeats: 0 })).rejects.toThrow(/repeats must be a positive integer, got 0/);
  });
});
