import { describe, expect, it } from 'vitest';
import { seeded } from '../load.js';

describe('the chaos run’s seeded choices', () => {
  it('are the same for the same seed, different for another, and in [0, 1)', () => {
    const draw = (seed: number) => Array.from({ length: 1_000 }, seeded(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((value) => value >= 0 && value < 1)).toBe(true);
    // Spread over the range, not stuck in a corner of it.
    expect(new Set(draw(7).map((value) => Math.floor(value * 10))).size).toBe(10);
  });
});
