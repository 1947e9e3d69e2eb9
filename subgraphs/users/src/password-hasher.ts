import { randomBytes } from 'node:crypto';
import { defineCounter, defineGauge } from '@shop/service-kit';
import { boundedWork } from './bounded-work.js';
import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from './passwords.js';

export interface PasswordHasherOptions {
  /** The parameters of new hashes; stored hashes of others are verified with theirs, and renewed at sign-in. */
  params: ScryptParams;
  /** Hashes computed at once (each holds a libuv thread, 128 * N * r bytes and a core). */
  concurrency: number;
  /** Hashes waiting for a turn; past that, SERVICE_UNAVAILABLE at once. */
  queueLength: number;
}

function passwordHashMetrics() {
  const computed = defineCounter({ name: 'users_password_hashes_total', help: 'Password hashes computed (sign-ins, sign-ups, password checks and changes)' });
  const running = defineGauge({ name: 'users_password_hashes_running', help: 'Password hashes (sign-ins, sign-ups, password checks) being computed' });
  const waiting = defineGauge({ name: 'users_password_hashes_waiting', help: 'Password hashes waiting for a turn (bounded by PASSWORD_HASH_QUEUE)' });
  const refused = defineCounter({
    name: 'users_password_hashes_refused_total',
    help: 'Password hashes refused with SERVICE_UNAVAILABLE because PASSWORD_HASH_CONCURRENCY were running and PASSWORD_HASH_QUEUE waiting',
  });
  // The gauges are the process's, and a process may hold several services (tests): each adds its own changes.
  let last = { running: 0, waiting: 0 };
  return {
    computed,
    onChange: (now: { running: number; waiting: number; refused: boolean }) => {
      running.inc(now.running - last.running);
      waiting.inc(now.waiting - last.waiting);
      if (now.refused) refused.inc();
      last = { running: now.running, waiting: now.waiting };
    },
  };
}

/**
 * Every password hash users computes, bounded: at most `concurrency` at once and `queueLength`
 * waiting, so a flood of sign-ins or sign-ups costs users a bounded amount of CPU and memory and
 * everyone else a bounded wait, never a queue without end.
 */
export function createPasswordHasher({ params, concurrency, queueLength }: PasswordHasherOptions) {
  const metrics = passwordHashMetrics();
  const bounded = boundedWork({ concurrency, queueLength, onChange: metrics.onChange });
  let computed = 0;
  const counted = <T>(work: () => Promise<T>) =>
    bounded(() => {
      computed += 1;
      metrics.computed.inc();
      return work();
    });
  let decoy: Promise<string> | undefined;
  const hash = (password: string) => counted(() => hashPassword(password, params));
  const verify = (password: string, stored: string) => counted(() => verifyPassword(password, stored));
  return {
    params,
    hash,
    verify,
    /** Checks `password` against a hash of nothing (an unknown email), so that both failures take as long. */
    async verifyDecoy(password: string): Promise<false> {
      decoy ??= hashPassword(randomBytes(16).toString('hex'), params);
      await verify(password, await decoy);
      return false;
    },
    /** Whether a stored hash that just verified should be replaced by one with the current parameters. */
    needsRehash: (stored: string) => needsRehash(stored, params),
    /** Hashes computed so far (verifications included). */
    get computed() {
      return computed;
    },
    /** The bound every hash runs under (what is running and waiting; a test may take a slot of it). */
    bound: bounded,
    get waiting() {
      return bounded.waiting;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
