import { Agent, request } from 'undici';
import { checkTargetUrl, guardedLookup, TargetRefusedError, type TargetPolicy } from './webhook-targets.js';
import { webhookSignatureHeaders } from './webhook-signing.js';

export interface WebhookSenderOptions {
  /** The most one attempt may take, connecting included (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  policy: TargetPolicy;
}

/** What one attempt came to: the answer's status (null when none came) and, unless 2xx, why it failed. */
export interface AttemptResult {
  responseCode: number | null;
  error: string | null;
  /** The endpoint's Retry-After, when it sent one. */
  retryAfterMs?: number;
}

/** An answer's body is read this far, for the delivery's lastError; an endpoint cannot make us read more. */
const RESPONSE_BYTES_KEPT = 4_096;
const ERROR_CHARACTERS_KEPT = 300;

/**
 * POSTs webhooks: signed per Standard Webhooks, to checked addresses only (the URL when sent, the
 * socket's addresses when connecting), never following a redirect, within a timeout, reading at
 * most a few KiB of the answer.
 */
export function createWebhookSender(options: WebhookSenderOptions) {
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.policy), timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  return {
    async send(target: { url: string; secrets: readonly string[] }, message: { id: string; body: string }, cancel?: AbortSignal): Promise<AttemptResult> {
      // One deadline for the whole attempt, the address check's DNS lookup included.
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
      try {
        const url = await checkTargetUrl(target.url, options.policy, signal);
        const timestamp = Math.floor(Date.now() / 1_000);
        const response = await request(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'shop-supergraph-webhooks/1',
            ...webhookSignatureHeaders(target.secrets, message.id, timestamp, message.body),
          },
          body: message.body,
          dispatcher: agent,
          signal,
        });
        const answer = await readStart(response.body);
        const code = response.statusCode;
        if (code >= 200 && code < 300) return { responseCode: code, error: null };
        const retryAfterMs = retryAfter(response.headers['retry-after']);
        const note = code >= 300 && code < 400 ? ' (redirects are not followed: register the final URL)' : '';
        return {
          responseCode: code,
          error: `answered ${code}${note}${answer ? `: ${answer}` : ''}`.slice(0, ERROR_CHARACTERS_KEPT),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        return { responseCode: null, error: describe(error).slice(0, ERROR_CHARACTERS_KEPT) };
      }
    },
    close: () => agent.close(),
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

async function readStart(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.length;
    if (length >= RESPONSE_BYTES_KEPT) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_BYTES_KEPT).toString('utf8').replace(/\s+/g, ' ').trim();
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
function retryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(error: unknown): string {
  if (error instanceof TargetRefusedError) return `refused: ${error.message}`;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof TargetRefusedError) return `refused: ${cause.message}`;
  const { code, message } = cause as { code?: string; message?: string };
  return code ? `${code}${message ? `: ${message}` : ''}` : (message ?? String(cause));
}
