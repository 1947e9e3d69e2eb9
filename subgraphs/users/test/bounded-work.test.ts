import { describe, expect, it } from 'vitest';
import { boundedWork } from '../src/bounded-work.js';

/** A job that runs until `finish` is called. */
function heldJob() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let started = false;
  return {
    job: async () => {
      started = true;
      await done;
      return 'done';
    },
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('boundedWork', () => {
  it('runs at most `concurrency` jobs at once, queues `queueLength` more in order, and refuses the next at once as SERVICE_UNAVAILABLE', async () => {
    const events: { running: number; waiting: number; refused: boolean }[] = [];
    const run = boundedWork({ concurrency: 2, queueLength: 2, onChange: (event) => events.push(event) });
    const jobs = Array.from({ length: 4 }, heldJob);
    const results = jobs.map((held) => run(held.job));
    await settle();
    expect(jobs.map((held) => held.started)).toEqual([true, true, false, false]);
    expect([run.running, run.waiting]).toEqual([2, 2]);

    await expect(run(async () => 'never')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(events.at(-1)).toEqual({ running: 2, waiting: 2, refused: true });

    jobs[1]!.finish();
    await settle();
    // The first in line takes the free slot; the second still waits.
    expect(jobs.map((held) => held.started)).toEqual([true, true, true, false]);
    expect([run.running, run.waiting]).toEqual([2, 1]);

    for (const held of jobs) held.finish();
    expect(await Promise.all(results)).toEqual(['done', 'done', 'done', 'done']);
    expect([run.running, run.waiting]).toEqual([0, 0]);
    expect(events.at(-1)).toEqual({ running: 0, waiting: 0, refused: false });
  });

  it('frees the slot of a job that fails', async () => {
    const run = boundedWork({ concurrency: 1, queueLength: 0 });
    await expect(run(() => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
    expect(await run(async () => 'next')).toBe('next');
    expect(run.running).toBe(0);
  });

  it('with no queue, refuses whatever comes while the slots are taken', async () => {
    const run = boundedWork({ concurrency: 1, queueLength: 0 });
    const held = heldJob();
    const first = run(held.job);
    await expect(run(async () => 'second')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    held.finish();
    expect(await first).toBe('done');
  });
});
