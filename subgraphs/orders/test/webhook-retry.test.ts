import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DEFAULT_RETRY_SCHEDULE, nextRetryDelayMs, parseRetrySchedule } from '../src/webhook-retry.js';

describe('parseRetrySchedule', () => {
  it('reads delays in ms, s, m and h', () => {
    expect(parseRetrySchedule('500ms, 5s,30m,2h,1.5s')).toEqual([500, 5_000, 1_800_000, 7_200_000, 1_500]);
  });

  it('spans about three days by default, as the Standard Webhooks specification suggests', () => {
    const total = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE).reduce((sum, delay) => sum + delay, 0);
    expect(total / 3_600_000).toBeCloseTo(75.6, 0);
  });

  it('refuses what is not a delay, and delays over a week', () => {
    expect(() => parseRetrySchedule('5s,soon')).toThrow('"soon" is not a delay');
    expect(() => parseRetrySchedule('5')).toThrow('not a delay');
    expect(() => parseRetrySchedule('200h')).toThrow('longer than a week');
  });
});

describe('nextRetryDelayMs', () => {
  const schedule = [1_000, 60_000];

  it('takes the delay after the attempts made so far, spread by at most a fifth either way', () => {
    expect(nextRetryDelayMs(schedule, 1, undefined, () => 0)).toBe(800);
    expect(nextRetryDelayMs(schedule, 1, undefined, () => 1)).toBe(1_200);
    expect(nextRetryDelayMs(schedule, 2, undefined, () => 0.5)).toBe(60_000);
  });

  it('is spent after the last delay', () => {
    expect(nextRetryDelayMs(schedule, 3)).toBeNull();
  });

  it('waits as long as Retry-After asks when that is longer', () => {
    expect(nextRetryDelayMs(schedule, 1, 30_000, () => 0.5)).toBe(30_000);
    expect(nextRetryDelayMs(schedule, 1, 10, () => 0.5)).toBe(1_000);
  });
});

describe("orders' webhook settings", () => {
  it('allows private targets only outside production, and names a bad schedule', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' })).toThrow('WEBHOOK_ALLOW_PRIVATE_TARGETS: never in production');
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '5s,later' })).toThrow(/WEBHOOK_RETRY_SCHEDULE.*"later" is not a delay/);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1s,2m' }).WEBHOOK_RETRY_SCHEDULE).toEqual([1_000, 120_000]);
  });
});
