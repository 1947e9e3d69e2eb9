import { describe, expect, it } from 'vitest';
import { Webhook as StandardWebhook, WebhookVerificationError } from 'standardwebhooks';
import { newWebhookSecret, webhookSignatureHeaders } from '../src/webhook-signing.js';

describe('webhookSignatureHeaders', () => {
  const body = JSON.stringify({ id: 'e1', type: 'order.placed', order: { id: 'o1' } });
  const now = () => Math.floor(Date.now() / 1_000);

  it('signs as the Standard Webhooks reference library verifies, with every secret given', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = webhookSignatureHeaders([current, previous], 'msg_1', now(), body);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    for (const secret of [current, previous]) expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new StandardWebhook(newWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('matches the specification library’s own signature for the same id, time and body', () => {
    const secret = newWebhookSecret();
    const timestamp = now();
    const theirs = new StandardWebhook(secret).sign('msg_2', new Date(timestamp * 1_000), body);
    expect(webhookSignatureHeaders([secret], 'msg_2', timestamp, body)['webhook-signature']).toBe(theirs);
  });

  it('signs the body as sent: a changed byte or an old timestamp does not verify', () => {
    const secret = newWebhookSecret();
    const headers = webhookSignatureHeaders([secret], 'msg_3', now(), body);
    expect(() => new StandardWebhook(secret).verify(body.replace('o1', 'o2'), headers)).toThrow(WebhookVerificationError);
    const stale = webhookSignatureHeaders([secret], 'msg_3', now() - 3_600, body);
    expect(() => new StandardWebhook(secret).verify(body, stale)).toThrow(WebhookVerificationError);
  });
});
