import { createShopClient, type ShopClient, type ShopSession } from '@shop/sdk';
import { fieldsOf, readStored, writeStored } from './storage.js';

const SESSION_KEY = 'shop.session';

function asSession(value: unknown): ShopSession | undefined {
  const fields = fieldsOf(value);
  if (!fields) return undefined;
  const { token, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt } = fields;
  if (typeof token !== 'string' || typeof accessTokenExpiresAt !== 'string' || typeof refreshToken !== 'string' || typeof refreshTokenExpiresAt !== 'string') return undefined;
  return { token, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt };
}

/**
 * The one SDK client of this tab. Its session is kept in localStorage (each renewal retires the
 * refresh token, so every new one is written), so a reload stays signed in. `events` tells the app
 * `signed-out` when the session ends (also without the shopper asking: a renewal refused, signed
 * out in another tab) and `session-replaced` when another tab signed in.
 */
export function createClient(gatewayUrl: string, events: EventTarget): ShopClient {
  const session = readStored(SESSION_KEY, asSession);
  const client = createShopClient({
    url: gatewayUrl,
    ...(session ? { session } : {}),
    onSession: (next) => {
      writeStored(SESSION_KEY, next ?? undefined);
      if (!next) events.dispatchEvent(new Event('signed-out'));
    },
  });
  // Another tab renewed the session (retiring the refresh token this tab holds), signed in or out:
  // hold what it holds, or this tab's next renewal would spend a retired token and end the session.
  addEventListener('storage', (event) => {
    if (event.key !== SESSION_KEY && event.key !== null) return;
    const shared = readStored(SESSION_KEY, asSession);
    if (shared?.refreshToken === client.session?.refreshToken) return;
    client.setSession(shared ?? null);
    // Perhaps someone else now: the app asks who.
    if (shared) events.dispatchEvent(new Event('session-replaced'));
  });
  return client;
}
