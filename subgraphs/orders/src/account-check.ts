import { ServiceUnavailableError, UnauthenticatedError, type Logger, type Viewer } from '@shop/service-kit';

export interface AccountCheckOptions {
  /** The users service's base URL (USERS_URL). */
  url: string;
  timeoutMs: number;
}

/** The request an account is checked for: its token, and its id and logger so users' log lines and ours match. */
export interface CheckedRequest {
  authorization: string | undefined;
  requestId: string;
  logger: Logger;
}

interface MeAnswer {
  data?: { me: { id: string } | null } | null;
}

/**
 * Whether the signed-in user still has an account. A token stays valid until it expires even when
 * its user is gone (deleted, or lost with a restored database), and only users knows which users
 * exist; orders must not store orders for a user nobody has. So before an order is written, orders
 * asks users for `me` with the caller's own token: users verifies it again and answers null for a
 * user it does not have. Fails closed: when users cannot answer, no order (SERVICE_UNAVAILABLE).
 */
export function createAccountCheck(options: AccountCheckOptions) {
  const endpoint = new URL('/graphql', options.url).href;

  async function me(authorization: string, { requestId, logger }: CheckedRequest): Promise<{ id: string } | null> {
    let response: Response;
    let answer: MeAnswer;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, 'x-request-id': requestId },
        body: JSON.stringify({ query: '{ me { id } }' }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      answer = (await response.json().catch(() => ({}))) as MeAnswer;
    } catch (error) {
      logger.warn({ err: error }, 'users call failed');
      throw new ServiceUnavailableError('Cannot confirm your account right now; try again shortly');
    }
    // users judged the token itself (say, signed with a key it no longer has): not signed in.
    if (response.status === 401) return null;
    if (!response.ok || !answer.data) {
      logger.warn({ status: response.status }, 'users answered without data');
      throw new ServiceUnavailableError('Cannot confirm your account right now; try again shortly');
    }
    return answer.data.me;
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
