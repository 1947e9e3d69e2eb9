import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLNonNull, GraphQLSchema, GraphQLString } from 'graphql';

/** `@defer` as the incremental delivery RFC (and Apollo Router, graphql-js 17) declare it. */
export const DEFER_DIRECTIVE = new GraphQLDirective({
  name: 'defer',
  description: 'Sends this fragment in a later part of the response (with Accept: multipart/mixed;deferSpec=20220824, multipart/mixed;incrementalSpec=v0.2 or text/event-stream); a client that accepts none gets the whole answer at once.',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: {
    if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true, description: 'Deferred only when true.' },
    label: { type: GraphQLString, description: 'Names the part, unique in the document: the client finds its part by it.' },
  },
});

/**
 * The API schema with `@defer` declared, as Apollo Server validates requests against it.
 * @apollo/gateway's schema leaves it out (apollo-server#6966), so every `@defer` would be an
 * unknown directive.
 */
export function withDeferDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective('defer')) return schema;
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, DEFER_DIRECTIVE] });
}
