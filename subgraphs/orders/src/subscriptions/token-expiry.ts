/** The longest delay setTimeout keeps (about 24.8 days); a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When the token of `Bearer <jwt>` expires (its `exp`, in ms since the epoch); null without one.
 * Read only after the service's verifier accepted the token (its `exp` is required and checked
 * there): the Viewer it gives does not carry the expiry, which only a long-lived stream needs.
 */
export function tokenExpiryOf(authorization: string | undefined): number | null {
  const payload = /^Bearer [\w-]+\.([\w-]+)\.[\w-]*$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!payload) return null;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Calls `expired` at `expiresAt` (ms since the epoch), however far off; returns the cancel. Keeps no process alive. */
export function onExpiry(expiresAt: number, expired: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      expired();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
