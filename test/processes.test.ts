import { describe, expect, it } from 'vitest';
import { startExecutable } from '../scripts/processes.js';

describe('a program started as a process of its own', () => {
  it('says what it printed when it exits before it is ready', async () => {
    const program = startExecutable('/bin/sh', ['-c', 'echo "address already in use" >&2; exit 3']);
    await expect(program.waitUntil(async () => false, 5_000)).rejects.toThrow(/exited \(3\) before it to answer:\naddress already in use/);
    expect(await program.exited()).toEqual({ code: 3, signal: null });
  });

  it('says it could not start when the program cannot be run, and counts as ended', async () => {
    const program = startExecutable('/nonexistent/server', []);
    await expect(program.waitUntil(async () => false, 5_000)).rejects.toThrow(/could not start before it to answer:\nspawn \/nonexistent\/server ENOENT/);
    expect(await program.exited(1_000)).toEqual({ code: null, signal: null });
    expect(await program.stop()).toBeNull();
  });
});
