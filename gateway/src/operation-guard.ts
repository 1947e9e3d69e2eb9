import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';
import { passwordFields, requireOnePasswordField, type PasswordField } from './password-fields.js';
import { refundLoginAccountPoint, takePasswordPoints, type RateLimiters } from './rate-limits.js';
import { responseKey } from './root-fields.js';
import { requireShortVariables } from './string-lengths.js';

/**
 * The checks of what a client chose, once the operation is known and before anything runs
 * (planning, caching, rate-limit keys), in this order: every string in the variables bounded (the
 * document's own strings are, by the string-length validation rule, before it is cached); at most
 * one root field that hashes a password; then that field's rate-limit points, whose keys derive
 * from the values bounded before. One hook, because Apollo Server runs the plugins' hooks of one
 * stage side by side; not didResolveSource, earlier, where Apollo answers any error with a 500.
 * Once answered, a `login` that succeeded gives its per-account point back (refundLoginAccountPoint).
 */
export function operationGuard(options: { maxStringLength: number; limiters: RateLimiters }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let fields: PasswordField[] = [];
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          requireShortVariables(request.variables, options.maxStringLength);
          if (!operation) return;
          fields = passwordFields(document, operation, request.variables);
          requireOnePasswordField(fields);
          for (const { work } of fields) await takePasswordPoints(options.limiters, work, contextValue);
        },
        async willSendResponse({ response }) {
          const login = fields.find((field) => field.work.kind === 'login');
          if (login?.work.kind !== 'login' || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const key = responseKey(login.field);
          if (data?.[key] == null || errors?.some((error) => error.path === undefined || error.path[0] === key)) return;
          await refundLoginAccountPoint(options.limiters, login.work.email);
        },
      };
    },
  };
}
