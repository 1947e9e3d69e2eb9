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
 * refresh token, so every new one is written), so a reload stays signed in; `onSignedOut` hears
 * when the session ends without the shopper asking (renewal refused: signed out elsewhere, expired).
 */
export function createClient(gatewayUrl: string, onSignedOut: () => void): ShopClient {
  const session = readStored(SESSION_KEY, asSession);
  return createShopClient({
    url: gatewayUrl,
    ...(session ? { session } : {}),
    onSession: (next) => {
      writeStored(SESSION_KEY, next ?? undefined);
      if (!next) onSignedOut();
    },
  });
}
