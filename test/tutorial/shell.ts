import { spawn } from 'node:child_process';

/** The environment a reader's shell has: this one without what the test runner adds. */
export function readerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const runnersOwn = (name: string) => name.startsWith('VITEST') || name === 'NODE_ENV' || name === 'TEST';
  const env = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !runnersOwn(entry[0]));
  return { ...Object.fromEntries(env), ...extra };
}

/** A command started in a process group of its own, so stopping it stops everything it started. */
export interface Shell {
  /** Everything printed so far (the last 200 kB). */
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const KEPT_OUTPUT = 200_000;

export function startShell(command: string, options: { cwd: string; env: Record<string, string> }): Shell {
  const child = spawn('sh', ['-c', command], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve(null);
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      // The group this command leads (detached): the command's own id, nothing else.
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    output: () => output,
    exited,
    async stop(graceMs = 30_000) {
      if (ended) {
        signalGroup('SIGKILL'); // Its children may outlive it.
        return;
      }
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
    },
  };
}

/** Runs `command` to its end within `timeoutMs`; throws with its output unless it exits 0. */
export async function run(command: string, options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<string> {
  const shell = startShell(command, options);
  const timer = setTimeout(() => void shell.stop(5_000), options.timeoutMs);
  const code = await shell.exited;
  clearTimeout(timer);
  await shell.stop(0);
  if (code !== 0) throw new Error(`\`${command}\` exited ${code ?? 'on a signal (timed out?)'}:\n${shell.output()}`);
  return shell.output();
}
