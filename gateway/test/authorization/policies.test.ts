import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Viewer } from '@shop/service-kit';
import { capturingLogger } from '../../../test/support/logger.js';
import { policyDecider, type Policies, type PolicyRequest } from '../../src/authorization/policies.js';

const VIEWER: Viewer = { userId: 'u1', role: 'CUSTOMER', scopes: [] };
const REQUEST: Omit<PolicyRequest, 'signal'> = {
  viewer: VIEWER,
  headers: { get: (name) => (name === 'x-tenant' ? 'acme' : undefined) },
  clientAddress: '203.0.113.7',
};
const TIMEOUT_MS = 100;

function decider(policies: Policies) {
  const { logger, lines } = capturingLogger('debug');
  return { decide: policyDecider({ policies, timeoutMs: TIMEOUT_MS, logger }), lines };
}

describe('policyDecider: which @policy names one request is granted', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants a policy that answers true, at once or later, and no other', async () => {
    const { decide } = decider({
      yes: () => true,
      no: () => false,
      later: async () => Promise.resolve(true),
      // A policy typed loosely in JavaScript: only `true` grants.
      truthy: (() => 'yes') as unknown as () => boolean,
    });
    await expect(decide(['yes', 'no', 'later', 'truthy'], REQUEST)).resolves.toEqual(new Set(['yes', 'later']));
  });

  it("gives a policy the request's viewer, headers, client address and a live signal", async () => {
    const seen: PolicyRequest[] = [];
    const { decide } = decider({
      tenant: (request) => {
        seen.push(request);
        return request.headers.get('x-tenant') === 'acme' && request.viewer?.userId === 'u1' && !request.signal.aborted;
      },
    });
    await expect(decide(['tenant'], REQUEST)).resolves.toEqual(new Set(['tenant']));
    expect(seen[0]?.clientAddress).toBe('203.0.113.7');
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
    await expect(decide(['tenant'], { ...REQUEST, viewer: null })).resolves.toEqual(new Set());
  });

  it('asks nothing, and starts no timer, when there is nothing to decide', async () => {
    const policy = vi.fn(() => true);
    const { decide } = decider({ policy });
    await expect(decide([], REQUEST)).resolves.toEqual(new Set());
    expect(policy).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('denies a name no function decides, and warns once per name', async () => {
    const { decide, lines } = decider({ known: () => true });
    await expect(decide(['known', 'unknown'], REQUEST)).resolves.toEqual(new Set(['known']));
    await expect(decide(['unknown'], REQUEST)).resolves.toEqual(new Set());
    await expect(decide(['other'], REQUEST)).resolves.toEqual(new Set());
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.policy)).toEqual(['unknown', 'other']);
    expect(warnings[0]?.msg).toMatch(/no function decides this @policy/);
  });

  it("denies a name that is only an Object property (toString, constructor, __proto__)", async () => {
    const { decide } = decider({});
    await expect(decide(['toString', 'constructor', '__proto__', 'hasOwnProperty'], REQUEST)).resolves.toEqual(new Set());
  });

  it('denies a policy that throws or rejects, and logs it as an error with its name', async () => {
    const { decide, lines } = decider({
      throws: () => {
        throw new Error('directory unreachable');
      },
      rejects: () => Promise.reject(new Error('directory said no')),
      fine: () => true,
    });
    await expect(decide(['throws', 'rejects', 'fine'], REQUEST)).resolves.toEqual(new Set(['fine']));
    const errors = lines.filter((line) => line.level === 50);
    expect(errors.map((line) => line.policy).sort()).toEqual(['rejects', 'throws']);
    expect(errors.map((line) => (line.err as { message: string }).message).sort()).toEqual(['directory said no', 'directory unreachable']);
  });

  it('denies a policy that does not answer within the timeout, aborting its signal, and keeps the others', async () => {
    let signal: AbortSignal | undefined;
    const { decide, lines } = decider({
      hangs: (request) => {
        signal = request.signal;
        return new Promise<boolean>(() => undefined);
      },
      quick: () => true,
    });
    let settled: ReadonlySet<string> | undefined;
    const decided = decide(['hangs', 'quick'], REQUEST).then((granted) => (settled = granted));
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(settled).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await decided;
    expect(settled).toEqual(new Set(['quick']));
    expect(signal?.aborted).toBe(true);
    expect(String((signal?.reason as Error | undefined)?.message)).toMatch(/no policy decision within 100 ms/);
    expect(lines.filter((line) => line.level === 40).map((line) => [line.policy, line.timeoutMs])).toEqual([['hangs', TIMEOUT_MS]]);
  });

  it('shares one deadline between the policies of a request, and leaves no timer behind', async () => {
    const { decide } = decider({
      slow: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), TIMEOUT_MS / 2)),
      slower: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), TIMEOUT_MS * 2)),
    });
    const decided = decide(['slow', 'slower'], REQUEST);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await expect(decided).resolves.toEqual(new Set(['slow']));
    // The slower policy's own timer is its business; the decider's deadline is gone.
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not abort the signal of a request whose policies all answered in time', async () => {
    let signal: AbortSignal | undefined;
    const { decide } = decider({
      keep: (request) => {
        signal = request.signal;
        return true;
      },
    });
    await decide(['keep'], REQUEST);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS * 2);
    expect(signal?.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
