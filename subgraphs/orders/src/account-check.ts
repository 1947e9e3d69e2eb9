import { AppError, createServiceClient, UnauthenticatedError, type Logger, type Viewer } from '@shop/service-kit';

export interface AccountCheckOptions {
  /** The users service's base URL (USERS_URL). */
  url: string;
  timeoutMs: number;
}

/** The request an account is checked for: its token, and its logger (its id goes along by itself: request-scope.ts). */
export interface CheckedRequest {
  authorization: string | undefined;
  logger: Logger;
}

/**
 * Whether the signed-in user still has an account. A token stays valid until it expires even when
 * its user is gone (deleted, or lost with a restored database), and only users knows which users
 * exist; orders must not store orders for a user nobody has. So before an order is written, orders
 * asks users for `me` with the caller's own token: users verifies it again and answers null for a
 * user it does not have. Fails closed: when users cannot answer, no order (SERVICE_UNAVAILABLE).
 */
export function createAccountCheck(options: AccountCheckOptions) {
  // No breaker: one call per order placed, and a users that cannot answer stops checkout anyway.
  const users = createServiceClient({
    service: 'users',
    url: options.url,
    timeoutMs: options.timeoutMs,
    // users' only verdict on `me` is refusing the token; any other error leaves the account unconfirmed.
    isVerdict: (error) => error.extensions?.code === 'UNAUTHENTICATED',
    unavailableMessage: 'Cannot confirm your account right now; try again shortly',
  });

  async function me(authorization: string, { logger }: CheckedRequest): Promise<{ id: string } | null> {
    try {
      const data = await users.request<{ me: { id: string } | null }>('{ me { id } }', { authorization, logger, operation: 'me' });
      return data.me;
    } catch (error) {
      // users judged the token itself (say, signed with a key it no longer has): not signed in.
      if (error instanceof AppError && error.code === 'UNAUTHENTICATED') return null;
      throw error;
    }
  }

  return {
    /** UNAUTHENTICATED unless the token's user exists at users. */
    async requireAccount(viewer: Viewer, request: CheckedRequest): Promise<void> {
      const account = request.authorization ? await me(request.authorization, request) : null;
      if (account?.id !== viewer.userId) throw new UnauthenticatedError('This account no longer exists; sign in again');
    },
  };
}

export type AccountCheck = ReturnType<typeof createAccountCheck>;
