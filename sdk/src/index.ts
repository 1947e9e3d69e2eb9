/** The shop's typed client: the documents of every public operation, their types, and the client that runs them. */
export * from './__generated__/graphql.js';
export { createShopClient, type ShopClient, type ShopClientOptions, type ShopSession, type VariablesOf } from './client.js';
export type { AnswerInParts, PartsRequest } from './parts.js';
export { RESUBSCRIBE_REASONS, type ShopSubscription, type SubscriptionRetryOptions } from './subscriptions.js';
export { SHOP_ERROR_CODES, ShopError, ShopNetworkError, type ShopErrorCode, type ShopGraphQLError } from './errors.js';
