import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';
import { DEFAULT_MAX_STRING_LENGTH, stringLengthRule } from './string-lengths.js';

/** What one document may ask of the gateway. */
export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** The longest string an argument, a variable or a default value may hold (the variables' are checked by operationGuard). */
  maxStringLength: number;
  /** Hide "Did you mean …?" in validation errors, so the schema cannot be guessed field by field. */
  hideSuggestions: boolean;
}

/**
 * GraphQL Armor's defaults, but for depth: Armor's 6 counts every field, leaves included, and the
 * API's lists are Relay connections, whose `edges { node }` take two levels. 8 is Armor's 6 plus
 * those two, so `me { orders { edges { node { items { product { name } } } } } }` (7) and an
 * order list with prices (8) are served; anything deeper is refused.
 */
export const DEFAULT_LIMITS = { maxDepth: 8, maxAliases: 15, maxDirectives: 50, maxTokens: 1000, maxStringLength: DEFAULT_MAX_STRING_LENGTH } as const;

/**
 * GraphQL Armor's checks, run by Apollo Server before any planning: depth, aliases and directives
 * as validation rules (a refusal is a validation error, HTTP 400), suggestions masked. Depth
 * counts fields, not fragment spreads, so a fragment's fields count as deep as they are. String
 * literals' length is our rule beside them (stringLengthRule). The token limit is graphql-js's own
 * parser option (a refusal is a syntax error, HTTP 400): Armor's Apollo plugin for it throws from
 * a hook Apollo Server answers with HTTP 500.
 */
export function documentLimits(limits: DocumentLimits): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  parseOptions: ParseOptions;
} {
  const { validationRules, plugins } = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    // Cost is demand control's (./demand-control/): an estimate from the schema's @cost and @listSize, not Armor's per-field count.
    costLimit: { enabled: false },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: limits.hideSuggestions },
  }).protect();
  return {
    validationRules: [...validationRules, stringLengthRule(limits.maxStringLength)],
    // Armor's declarations name @apollo/server's CommonJS types, ours the ES module ones: the same plugin objects.
    plugins: plugins as unknown as ApolloServerPlugin[],
    parseOptions: { maxLexicalTokens: limits.maxTokens },
  };
}
