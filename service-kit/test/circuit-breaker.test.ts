import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import {
  countsAgainstBreaker,
  createCircuitBreaker,
  DependencyUnavailable,
  isBreakerRejection,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from '../src/circuit-breaker.js';
import { AppError, ServiceUnavailableError } from '../src/errors.js';
import { startStandInService, type StandInService } from './support/stand-in-service.js';

const RESET_MS = 300;
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

/** One call to the stand-in the way a client would make it: what it cannot serve becomes DependencyUnavailable. */
async function callStandIn(url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${url}/graphql`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1_000) });
  } catch (error) {
    throw new DependencyUnavailable('stand-in', 'gave no answer', { cause: error });
  }
  if (response.status >= 500) throw new DependencyUnavailable('stand-in', `answered HTTP ${response.status}`);
  return response.json();
}

describe('the circuit breaker', () => {
  let service: StandInService;
  const breakers: CircuitBreaker[] = [];
  const breaker = (overrides: Partial<CircuitBreakerOptions> = {}) => {
    const made = createCircuitBreaker({
      name: 'stand-in',
      context: { dependency: 'stand-in' },
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      resetTimeoutMs: RESET_MS,
      logger,
      ...overrides,
    });
    breakers.push(made);
    return made;
  };
  beforeAll(async () => {
    service = await startStandInService();
  });
  afterEach(() => {
    for (const made of breakers.splice(0)) made.close();
    service.received.length = 0;
    logLines.length = 0;
    service.behave({ status: 200, body: { data: {} } });
  });
  afterAll(() => service.stop());

  it('stays closed below the minimum number of calls, then opens and fails fast without calling the dependency', async () => {
    const guarded = breaker();
    service.behave({ status: 503, body: 'down' });
    for (let call = 0; call < 2; call++) await expect(guarded.run(() => callStandIn(service.url))).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(guarded.state()).toBe('closed');
    await expect(guarded.run(() => callStandIn(service.url))).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(guarded.state()).toBe('open');
    expect(service.received).toHaveLength(3);

    const refused = await guarded.run(() => callStandIn(service.url)).catch((error: unknown) => error);
    expect(isBreakerRejection(refused)).toBe(true);
    expect(service.received).toHaveLength(3);
  });

  it('opens only past the failure share: failures among enough successes leave it closed', async () => {
    const guarded = breaker({ volumeThreshold: 4 });
    for (let call = 0; call < 3; call++) await guarded.run(() => callStandIn(service.url));
    service.behave('drop');
    for (let call = 0; call < 3; call++) await expect(guarded.run(() => callStandIn(service.url))).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(guarded.state()).toBe('closed'); // 3 failures in 6 calls: 50 %, not past it
    await expect(guarded.run(() => callStandIn(service.url))).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(guarded.state()).toBe('open');
  });

  it('half-opens after the reset time, lets one trial call through, and closes when it works', async () => {
    const guarded = breaker();
    service.behave({ status: 500, body: 'down' });
    for (let call = 0; call < 3; call++) await guarded.run(() => callStandIn(service.url)).catch(() => {});
    expect(guarded.state()).toBe('open');
    await vi.waitFor(() => expect(guarded.state()).toBe('halfOpen'), { timeout: RESET_MS * 5, interval: 20 });

    // While the trial call is in flight, others are still refused.
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    service.behave({ status: 200, body: { data: { ok: true } } });
    const trial = guarded.run(async () => {
      await answered;
      return callStandIn(service.url);
    });
    expect(isBreakerRejection(await guarded.run(() => callStandIn(service.url)).catch((error: unknown) => error))).toBe(true);
    answer();
    await expect(trial).resolves.toEqual({ data: { ok: true } });
    expect(guarded.state()).toBe('closed');
  });

  it('opens again at once when the trial call fails', async () => {
    const guarded = breaker();
    service.behave('drop');
    for (let call = 0; call < 3; call++) await guarded.run(() => callStandIn(service.url)).catch(() => {});
    await vi.waitFor(() => expect(guarded.state()).toBe('halfOpen'), { timeout: RESET_MS * 5, interval: 20 });
    await expect(guarded.run(() => callStandIn(service.url))).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(guarded.state()).toBe('open');
  });

  it("never counts the dependency's coded verdicts, nor answers that prove the host is up", async () => {
    const guarded = breaker();
    for (let call = 0; call < 5; call++) {
      await expect(guarded.run(() => Promise.reject(new AppError('INSUFFICIENT_STOCK', 'no')))).rejects.toBeInstanceOf(AppError);
      await expect(guarded.run(() => Promise.reject(new DependencyUnavailable('stand-in', 'answered HTTP 404', { countsAgainstBreaker: false })))).rejects.toThrow();
    }
    expect(guarded.state()).toBe('closed');
    expect(countsAgainstBreaker(new ServiceUnavailableError())).toBe(false);
    expect(countsAgainstBreaker(new TypeError('fetch failed'))).toBe(true);
    expect(countsAgainstBreaker(new DependencyUnavailable('stand-in', 'timed out'))).toBe(true);
  });

  it('takes its own split between failures and client faults when given one', async () => {
    const guarded = breaker({ isFailure: (error) => error instanceof AppError && error.code === 'INTERNAL_SERVER_ERROR' });
    for (let call = 0; call < 3; call++) await guarded.run(() => Promise.reject(new TypeError('ignored by this split'))).catch(() => {});
    expect(guarded.state()).toBe('closed');
    // 4 failures in 7 calls: past 50 %.
    for (let call = 0; call < 4; call++) await guarded.run(() => Promise.reject(new AppError('INTERNAL_SERVER_ERROR', 'x'))).catch(() => {});
    expect(guarded.state()).toBe('open');
  });

  it('logs each change of state once, with its context, not each refused call', async () => {
    const guarded = breaker();
    service.behave({ status: 502, body: 'bad gateway' });
    for (let call = 0; call < 8; call++) await guarded.run(() => callStandIn(service.url)).catch(() => {});
    await vi.waitFor(() => expect(guarded.state()).toBe('halfOpen'), { timeout: RESET_MS * 5, interval: 20 });
    service.behave({ status: 200, body: { data: {} } });
    await guarded.run(() => callStandIn(service.url));
    for (let call = 0; call < 3; call++) await guarded.run(() => callStandIn(service.url));

    expect(logLines.map((line) => line.msg)).toEqual([
      'stand-in circuit breaker opened: calls fail fast until it half-opens',
      'stand-in circuit breaker half-open: trying one call',
      'stand-in circuit breaker closed',
    ]);
    expect(logLines.map((line) => line.level)).toEqual([40, 30, 30]);
    for (const line of logLines) expect(line).toMatchObject({ breaker: 'stand-in', dependency: 'stand-in' });
  });

  it('refuses every call once closed down', async () => {
    const guarded = breaker();
    guarded.close();
    const refused = await guarded.run(() => callStandIn(service.url)).catch((error: unknown) => error);
    expect(isBreakerRejection(refused)).toBe(true);
    expect(service.received).toHaveLength(0);
  });
});
