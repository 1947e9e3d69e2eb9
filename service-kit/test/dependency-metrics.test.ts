import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { parseScrape } from '../../test/support/prometheus.js';
import { createCircuitBreaker, DependencyUnavailable, type CircuitBreaker } from '../src/circuit-breaker.js';
import { createServiceClient } from '../src/service-client.js';
import { metricsRegistry } from '../src/metrics.js';
import { startStandInService, type StandInService } from './support/stand-in-service.js';

const logger = pino({ level: 'silent' });
/** The process's registry now; other tests in this process count too, so each test names its own breaker or service. */
const scrapeNow = async () => parseScrape(await metricsRegistry.metrics());

describe("a circuit breaker's metrics", () => {
  const breakers: CircuitBreaker[] = [];
  afterEach(() => {
    for (const made of breakers.splice(0)) made.close();
    vi.useRealTimers();
  });

  it('shows its state by name (0 closed, 1 half-open, 2 open) and counts each opening', async () => {
    vi.useFakeTimers();
    const breaker = createCircuitBreaker({ name: 'metrics test', errorThresholdPercentage: 50, volumeThreshold: 1, resetTimeoutMs: 1_000, logger });
    breakers.push(breaker);
    const labels = { breaker: 'metrics test' };
    let metrics = await scrapeNow();
    expect(metrics.type('circuit_breaker_state')).toBe('GAUGE');
    expect(metrics.value('circuit_breaker_state', labels)).toBe(0);
    expect(metrics.value('circuit_breaker_opens_total', labels)).toBe(0);

    await expect(breaker.run(() => Promise.reject(new DependencyUnavailable('it', 'gave no answer')))).rejects.toThrow();
    expect(breaker.state()).toBe('open');
    metrics = await scrapeNow();
    expect(metrics.value('circuit_breaker_state', labels)).toBe(2);
    expect(metrics.value('circuit_breaker_opens_total', labels)).toBe(1);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(breaker.state()).toBe('halfOpen');
    expect((await scrapeNow()).value('circuit_breaker_state', labels)).toBe(1);

    await breaker.run(async () => 'answered');
    expect(breaker.state()).toBe('closed');
    metrics = await scrapeNow();
    expect(metrics.value('circuit_breaker_state', labels)).toBe(0);
    expect(metrics.value('circuit_breaker_opens_total', labels)).toBe(1);
  });
});

describe("the service client's metrics", () => {
  let service: StandInService;
  let breaker: CircuitBreaker;
  beforeAll(async () => {
    service = await startStandInService();
    // Opens on the first failure once three calls were made: the fourth call below is refused untried.
    breaker = createCircuitBreaker({ name: 'metrics-stand-in', errorThresholdPercentage: 1, volumeThreshold: 3, resetTimeoutMs: 60_000, logger });
  });
  afterAll(async () => {
    breaker.close();
    await service.stop();
  });

  it('counts calls by service and outcome, with their durations', async () => {
    const client = createServiceClient({ service: 'metrics-stand-in', url: service.url, timeoutMs: 1_000, breaker, logger });
    const labels = (outcome: string) => ({ callee: 'metrics-stand-in', outcome });

    service.behave({ status: 200, body: { data: { ok: true } } });
    await client.request('{ ok }');
    service.behave({ status: 200, body: { errors: [{ message: 'no such product', extensions: { code: 'NOT_FOUND' } }] } });
    await expect(client.request('{ ok }')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    service.behave({ status: 503, body: 'down' });
    await expect(client.request('{ ok }')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(breaker.state()).toBe('open');
    await expect(client.request('{ ok }')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });

    const metrics = await scrapeNow();
    expect(metrics.value('service_calls_total', labels('success'))).toBe(1);
    expect(metrics.value('service_calls_total', labels('error'))).toBe(1);
    expect(metrics.value('service_calls_total', labels('unavailable'))).toBe(1);
    expect(metrics.value('service_calls_total', labels('rejected'))).toBe(1);
    expect(metrics.count('service_call_duration_seconds', { callee: 'metrics-stand-in' })).toBe(4);
    expect(service.received).toHaveLength(3);
  });
});
