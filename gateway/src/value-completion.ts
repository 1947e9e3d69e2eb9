import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';

/**
 * @apollo/gateway notes in `extensions.valueCompletion` each field it had to null because a
 * subgraph's answer lacked a non-null value under it: most often an entity its owner no longer
 * has (an erased user under an old order), where the null is the answer and the note only
 * confuses (its code, INVALID_GRAPHQL, is none of the API's). Clients get the data alone; the
 * notes go to the log, with the request's id, for whoever debugs a subgraph's answers.
 */
export function valueCompletionToLog(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const extensions = response.body.singleResult.extensions;
          if (!extensions || !('valueCompletion' in extensions)) return;
          const { valueCompletion, ...rest } = extensions;
          contextValue.logger.debug({ valueCompletion }, 'fields nulled by the gateway for missing values');
          response.body.singleResult.extensions = Object.keys(rest).length > 0 ? rest : undefined;
        },
      };
    },
  };
}
