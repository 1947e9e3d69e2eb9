import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves when `pattern` appears in the output; rejects if the process exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Resolves with how the process ended, without signalling it (a test that sent its own signal
   * waits here: a second SIGTERM would kill a service mid-shutdown); rejects after `timeoutMs`.
   */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and resolves with the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts `node <args>` (the Node that runs the tests) and collects its output. */
export function startProcess(args: string[], env: Record<string, string>, cwd: string): RunningProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = ended.then(({ code }) => code);
  return {
    child,
    output: () => output,
    waitFor: (pattern, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}:\n${output}`)), timeoutMs);
        const poll = setInterval(() => pattern.test(output) && finish(), 100);
        const onExit = (code: number | null) => finish(new Error(`exited (${code}) before ${pattern}:\n${output}`));
        child.once('exit', onExit);
        function finish(error?: Error) {
          clearTimeout(deadline);
          clearInterval(poll);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        }
      }),
    exited: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later:\n${output}`)), timeoutMs);
        void ended.then((how) => {
          clearTimeout(deadline);
          resolve(how);
        });
      }),
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
