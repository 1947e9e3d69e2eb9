import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toIsoString(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 date-time');
  return date.toISOString();
}

/** ISO-8601 in UTC on the wire; rows give Dates (timestamptz). */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  serialize: toIsoString,
  parseValue: toIsoString,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return toIsoString(ast.value);
  },
});
