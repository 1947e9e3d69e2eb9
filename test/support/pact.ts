import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PactV4, Verifier, type VerifierOptions } from '@pact-foundation/pact';

// Pact's native core reports usage to its makers unless this is set, and reads it when a mock
// server or a verification starts (so after these imports is in time). Nothing a test starts may
// send traffic beyond loopback: vitest.config.ts sets it too; this holds under any other runner.
process.env.PACT_DO_NOT_TRACK = 'true';

/** Where the pacts live, committed: what orders relies on from each provider. */
export const PACTS_DIR = fileURLToPath(new URL('../../contracts/pacts/', import.meta.url));

/** The committed pact between orders and `provider`. */
export const pactFile = (provider: string, consumer = 'orders') => join(PACTS_DIR, `${consumer}-${provider}.json`);

/** Rewrites the committed pacts from a consumer run instead of comparing them (a deliberate contract change). */
const UPDATE = process.env.UPDATE_PACTS === 'true' || process.env.UPDATE_PACTS === '1';

export interface ConsumerContract {
  pact: PactV4;
  /**
   * Compares the pact this run wrote with the committed one: they must be equal unless
   * UPDATE_PACTS is set, which writes the new pact over the committed file.
   */
  compareWithCommitted(): Promise<{ generated: string; committed: string | undefined }>;
  cleanup(): Promise<void>;
}

/**
 * A consumer pact written to a directory of its own, never straight to contracts/pacts/: Pact
 * merges new interactions into an existing file (so a removed interaction would linger), and the
 * provider verifications read the committed files while this runs in another worker.
 */
export async function consumerContract(provider: string, consumer = 'orders'): Promise<ConsumerContract> {
  const dir = await mkdtemp(join(tmpdir(), `pact-${consumer}-${provider}-`));
  const pact = new PactV4({ consumer, provider, dir, host: '127.0.0.1', logLevel: 'warn' });
  return {
    pact,
    async compareWithCommitted() {
      const generated = normalise(await readFile(join(dir, `${consumer}-${provider}.json`), 'utf8'));
      const committedFile = pactFile(provider, consumer);
      if (UPDATE) await writeFile(committedFile, generated);
      const committed = await readFile(committedFile, 'utf8').then(normalise, () => undefined);
      return { generated: withoutMetadata(generated), committed: committed === undefined ? undefined : withoutMetadata(committed) };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** One stable text per pact: two-space JSON with a final newline, as the committed files are. */
const normalise = (text: string) => `${JSON.stringify(JSON.parse(text), null, 2)}\n`;

/**
 * The pact without its metadata (the versions of Pact that wrote it): upgrading Pact changes no
 * contract, so only the interactions, consumer and provider are compared.
 */
function withoutMetadata(text: string): string {
  const { metadata: _metadata, ...contract } = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify(contract, null, 2);
}

/** The command that rewrites the committed pacts, for failure messages. */
export const UPDATE_COMMAND = 'UPDATE_PACTS=true npx vitest run subgraphs/orders/test/contracts';

/**
 * Verifies the committed pacts of `provider` against the service at `providerBaseUrl`; rejects
 * with Pact's JSON report (naming each failed interaction) when any interaction fails.
 */
export async function verifyPacts(options: Omit<VerifierOptions, 'pactUrls' | 'logLevel'> & { provider: string; providerBaseUrl: string; pactUrls?: string[] }): Promise<string> {
  const verifier = new Verifier({
    pactUrls: [pactFile(options.provider)],
    // Pact prints each interaction's result; only problems are worth the noise.
    logLevel: 'warn',
    ...options,
  });
  // Resolves with the core's JSON report; on failure rejects with it as the error's message.
  return verifier.verifyProvider();
}
