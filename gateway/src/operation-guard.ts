import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';
import { passwordFields, requireOnePasswordField } from './password-fields.js';
import { takePasswordPoints, type RateLimiters } from './rate-limits.js';
import { requireShortVariables } from './string-lengths.js';

/**
 * The checks of what a client chose, once the operation is known and before anything runs
 * (planning, caching, rate-limit keys), in this order: every string in the variables bounded (the
 * document's own strings are, by the string-length validation rule, before it is cached); at most
 * one root field that hashes a password; then that field's rate-limit points, whose keys derive
 * from the values bounded before. One hook, because Apollo Server runs the plugins' hooks of one
 * stage side by side; not didResolveSource, earlier, where Apollo answers any error with a 500.
 */
export function operationGuard(options: { maxStringLength: number; limiters: RateLimiters }): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          requireShortVariables(request.variables, options.maxStringLength);
          if (!operation) return;
          const fields = passwordFields(document, operation, request.variables);
          requireOnePasswordField(fields);
          for (const { work } of fields) await takePasswordPoints(options.limiters, work, contextValue);
        },
      };
    },
  };
}
