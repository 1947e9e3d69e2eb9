import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' prefix of a symmetric secret, so receivers' libraries know the scheme. */
const SECRET_PREFIX = 'whsec_';
/** The specification asks for 24 to 64 random bytes. */
const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/**
 * The headers that let a receiver check a webhook per the Standard Webhooks specification: its id
 * (the same on every attempt: the receiver's idempotency key), the attempt's time in Unix seconds,
 * and an HMAC-SHA256 of `id.timestamp.body` with each secret, space-separated, so a receiver holding
 * either secret during a rotation verifies it.
 */
export function webhookSignatureHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signed = `${id}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
    return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  });
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': signatures.join(' ') };
}
