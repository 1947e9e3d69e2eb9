import { parseArgs } from 'node:util';

export interface BenchConfig {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Scenario names to run; all when empty. */
  scenarios: string[];
  /** A PostgreSQL server the bench may create (and drop) its databases on; PGlite when unset. */
  databaseUrl: string | undefined;
}

const HELP = `npm run bench [-- --connections 50 --duration 20 --warmup 5 --scenarios canonical,products-page]
  env: BENCH_CONNECTIONS, BENCH_DURATION (s), BENCH_WARMUP (s), BENCH_SCENARIOS,
       BENCH_DATABASE_URL (or DATABASE_URL): PostgreSQL server to create the bench databases on`;

/** Flags win over the environment, which wins over the defaults (50 connections, 20 s). */
export function loadBenchConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      scenarios: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const number = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${value}"\n${HELP}`);
    return parsed;
  };
  return {
    connections: number('connections', values.connections ?? env.BENCH_CONNECTIONS, 50),
    durationSeconds: number('duration', values.duration ?? env.BENCH_DURATION, 20),
    warmupSeconds: number('warmup', values.warmup ?? env.BENCH_WARMUP, 5),
    scenarios: (values.scenarios ?? env.BENCH_SCENARIOS ?? '').split(',').filter(Boolean),
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || undefined,
  };
}
