import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { benchDatabases } from '../databases.js';
import { cpuMs, processTreeCpuMs } from '../proc-stats.js';

/** CPU ms the child spends before it says so: on a busy machine this takes longer, never less. */
const CHILD_CPU_MS = 300;

/**
 * A process with one child that spends CHILD_CPU_MS of CPU, prints "spun", and exits at the next
 * line on its stdin (passed on by the parent); the parent prints "exited" once it has reaped it,
 * and stays until killed.
 */
function parentOfBusyChild() {
  const child = `while (process.cpuUsage().user / 1000 < ${CHILD_CPU_MS}); console.log('spun'); process.stdin.once('data', () => process.exit(0));`;
  const parent = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['pipe', 'inherit', 'inherit'] });
    process.stdin.pipe(c.stdin); c.on('exit', () => console.log('exited')); setInterval(() => {}, 1000);`;
  const process_ = spawn(process.execPath, ['-e', parent], { stdio: ['pipe', 'pipe', 'inherit'] });
  let said = '';
  process_.stdout.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const saying = async (word: string) => {
    while (!said.includes(word)) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { pid: process_.pid!, saying, tellChildToExit: () => process_.stdin.write('\n'), kill: () => process_.kill() };
}

describe('CPU of a process tree', () => {
  it("counts a living child's CPU, and a reaped child's through its parent", async () => {
    const tree = parentOfBusyChild();
    try {
      await tree.saying('spun');
      const withChildAlive = processTreeCpuMs(tree.pid);
      expect(withChildAlive - cpuMs(tree.pid)).toBeGreaterThanOrEqual(CHILD_CPU_MS - 10);
      tree.tellChildToExit();
      await tree.saying('exited');
      expect(processTreeCpuMs(tree.pid)).toBeGreaterThanOrEqual(withChildAlive);
    } finally {
      tree.kill();
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('the bench on a PostgreSQL server', () => {
  it("reads the server's CPU where it runs on this machine, which grows with its work", async (context) => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-databases-'));
    const databases = await benchDatabases(process.env.TEST_DATABASE_URL, dir);
    try {
      const serverCpu = databases.serverCpu!;
      if ('notMeasured' in serverCpu) return context.skip(`the server is not on this machine: ${serverCpu.notMeasured}`);
      const before = serverCpu.readMs()!;
      const orders = databases.locations.orders;
      if (!('url' in orders)) throw new Error('expected a PostgreSQL database');
      const client = new pg.Client({ connectionString: orders.url });
      await client.connect();
      await client.query('SELECT count(*) FROM generate_series(1, 3000000)');
      await client.end();
      // The connection's process is ending or gone: its CPU counts as a child's, or through the server's once reaped.
      expect(serverCpu.readMs()! - before).toBeGreaterThan(50);
    } finally {
      await databases.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
