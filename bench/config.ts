import { parseArgs } from 'node:util';

export interface BenchConfig {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Scenario names to run; all when empty. */
  scenarios: string[];
  /** Customers of the distinct scenarios, each with its own token and orders: at least 20, and at least one per connection. */
  customers: number;
  /** Targets to measure (ours, ours-no-authz, ours-traced, ours-traced-10, stock, hive, hive-rust, ours-cached, direct); all when empty. */
  targets: string[];
  /** Times each scenario's targets are measured, one after another in turn (a noisy machine's ratios, repeated); 1 by default. */
  rounds: number;
  /** Servers to run under `--cpu-prof` (any gateway target, users, products, orders). */
  profile: string[];
  /** The subscriptions scenario: subscribers open during the changes, idle subscriptions for the memory figure, the admin's status changes per second. */
  subscribers: number;
  idleSubscribers: number;
  changesPerSecond: number;
  /** A PostgreSQL server the bench may create (and drop) its databases on; PGlite when unset. */
  databaseUrl: string | undefined;
}

const HELP = `npm run bench [-- --connections 50 --duration 20 --warmup 5 --scenarios canonical-distinct,canonical
                        --targets ours,stock,hive,hive-rust --customers 50 --profile ours,products --rounds 1
                        --subscribers 1000 --idle-subscribers 5000 --change-rate 10]
  env: BENCH_CONNECTIONS, BENCH_DURATION (s), BENCH_WARMUP (s), BENCH_SCENARIOS, BENCH_TARGETS,
       BENCH_ROUNDS: times each scenario's targets are measured in turn (each round's rows and ratios, then their medians),
       BENCH_CUSTOMERS: customers of the distinct scenarios (default: the connections, at least 20),
       BENCH_PROFILE: servers to run under --cpu-prof (profiles in bench/results/profiles-<time>/),
       BENCH_SUBSCRIBERS, BENCH_IDLE_SUBSCRIBERS, BENCH_CHANGE_RATE (status changes/s): the subscriptions scenario,
       BENCH_DATABASE_URL (or DATABASE_URL): PostgreSQL server to create the bench databases on`;

/** The fewest customers a distinct scenario has (issue 19: at least 20, each with its own token). */
export const MIN_CUSTOMERS = 20;

/** Flags win over the environment, which wins over the defaults (50 connections, 20 s). */
export function loadBenchConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      customers: { type: 'string' },
      profile: { type: 'string' },
      rounds: { type: 'string' },
      subscribers: { type: 'string' },
      'idle-subscribers': { type: 'string' },
      'change-rate': { type: 'string' },
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
  const connections = number('connections', values.connections ?? env.BENCH_CONNECTIONS, 50);
  // One customer per connection, so that no two connections send the same request at once.
  const customers = number('customers', values.customers ?? env.BENCH_CUSTOMERS, Math.max(MIN_CUSTOMERS, connections));
  if (customers < MIN_CUSTOMERS) throw new Error(`customers must be at least ${MIN_CUSTOMERS}, got ${customers}\n${HELP}`);
  return {
    connections,
    customers,
    durationSeconds: number('duration', values.duration ?? env.BENCH_DURATION, 20),
    warmupSeconds: number('warmup', values.warmup ?? env.BENCH_WARMUP, 5),
    scenarios: list(values.scenarios ?? env.BENCH_SCENARIOS),
    targets: list(values.targets ?? env.BENCH_TARGETS),
    profile: list(values.profile ?? env.BENCH_PROFILE),
    rounds: number('rounds', values.rounds ?? env.BENCH_ROUNDS, 1),
    subscribers: number('subscribers', values.subscribers ?? env.BENCH_SUBSCRIBERS, 1_000),
    idleSubscribers: number('idle-subscribers', values['idle-subscribers'] ?? env.BENCH_IDLE_SUBSCRIBERS, 5_000),
    changesPerSecond: number('change-rate', values['change-rate'] ?? env.BENCH_CHANGE_RATE, 10),
    databaseUrl: env.BENCH_DATABASE_URL || env.DATABASE_URL || undefined,
  };
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').filter(Boolean);
}
