import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../src/password-hasher.js';
import { hashPassword, paddingFor, scryptWork, type ScryptParams } from '../src/passwords.js';

const PASSWORD = 'correct horse battery staple';
/** OWASP's shape (p = 3) at a sixteenth of its N: a few milliseconds a hash, so the file costs no seconds. */
const CURRENT: ScryptParams = { N: 2 ** 11, r: 8, p: 3 };

const hasher = (concurrency = 2, queueLength = 4) => createPasswordHasher({ params: CURRENT, concurrency, queueLength });

/** The scrypt work `check` made `passwords` do, and what it answered. */
async function workOf<T>(passwords: ReturnType<typeof hasher>, check: () => Promise<T>) {
  const before = passwords.work;
  const answer = await check();
  return { answer, work: passwords.work - before };
}

describe('a failed sign-in costs one check at the current parameters, whatever it is checked against', () => {
  it.for<[string, ScryptParams]>([
    ['the current parameters', CURRENT],
    ['one lane where there are three now (p raised)', { N: CURRENT.N, r: 8, p: 1 }],
    ['a smaller N', { N: CURRENT.N / 2, r: 8, p: 1 }],
    ['the smallest N this service reads, with a smaller r', { N: 2 ** 10, r: 4, p: 2 }],
  ])('a hash stored with %s', async ([, stored]) => {
    const passwords = hasher();
    const hash = await hashPassword(PASSWORD, stored);
    const wrong = await workOf(passwords, () => passwords.verify('a wrong guess', hash));
    expect(wrong).toEqual({ answer: false, work: scryptWork(CURRENT) });
    // The right password is not padded: the sign-in renews a weak hash, at the current cost, instead.
    expect(await workOf(passwords, () => passwords.verify(PASSWORD, hash))).toEqual({ answer: true, work: scryptWork(stored) });
  });

  it('an unknown email (no hash) and a stored value that is no hash, each time, with nothing kept between', async () => {
    const passwords = hasher();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await workOf(passwords, () => passwords.verifyDecoy('a guess'))).toEqual({ answer: false, work: scryptWork(CURRENT) });
    }
    expect(await workOf(passwords, () => passwords.verify(PASSWORD, 'not-a-hash'))).toEqual({ answer: false, work: scryptWork(CURRENT) });
  });

  it('pads in lanes of the current N and r, the remainder in halves of N, and not at all for a hash as strong or stronger', () => {
    expect(paddingFor('', CURRENT)).toEqual([CURRENT]);
    const stored = ({ N, r, p }: ScryptParams) => `scrypt$${N}$${r}$${p}$c2FsdA==$aGFzaA==`;
    expect(paddingFor(stored({ N: CURRENT.N, r: 8, p: 1 }), CURRENT)).toEqual([{ N: CURRENT.N, r: 8, p: 2 }]);
    expect(paddingFor(stored({ N: CURRENT.N / 2, r: 8, p: 1 }), CURRENT)).toEqual([{ N: CURRENT.N, r: 8, p: 2 }, { N: CURRENT.N / 2, r: 8, p: 1 }]);
    expect(paddingFor(stored(CURRENT), CURRENT)).toEqual([]);
    expect(paddingFor(stored({ N: CURRENT.N * 4, r: 8, p: 1 }), CURRENT)).toEqual([]);
  });
});

describe('the check of an unknown email', () => {
  it('takes its place in the bound at once, like any hash: nothing is computed before its turn, and past the queue it is refused', async () => {
    const passwords = hasher(1, 1);
    let release!: () => void;
    const holder = passwords.bound(() => new Promise<void>((done) => (release = done)));
    const decoy = passwords.verifyDecoy('a guess');
    // In the queue already, not computing a hash of its own outside the bound first.
    expect([passwords.bound.running, passwords.bound.waiting]).toEqual([1, 1]);
    await expect(passwords.verifyDecoy('another guess')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(passwords.work).toBe(0);
    release();
    await holder;
    expect(await decoy).toBe(false);
    expect(passwords.work).toBe(scryptWork(CURRENT));
    // A refusal leaves nothing behind: the next check runs as the first did.
    expect(await workOf(passwords, () => passwords.verifyDecoy('a third guess'))).toEqual({ answer: false, work: scryptWork(CURRENT) });
  });
});
