import { ShopError, ShopNetworkError, type ShopErrorCode } from '@shop/sdk';

/**
 * What the shopper was doing when an error came: the same code means different things to them
 * (UNAUTHENTICATED is "wrong password" at sign-in and "signed out" elsewhere).
 */
export type Action = 'load' | 'sign-in' | 'register' | 'checkout' | 'cancel' | 'move-status';

export interface MessageContext {
  action: Action;
  /** Product names by id, to name the product an INSUFFICIENT_STOCK or NOT_FOUND is about. */
  productNames?: ReadonlyMap<string, string>;
}

const FIELD_ADVICE: Record<string, string> = {
  email: 'That email address does not look right.',
  password: 'Passwords need at least 8 characters.',
  name: 'Please give a name of 1 to 100 characters.',
  items: 'Your cart is empty or too large to order at once.',
};

/** What is missing, by the field at the end of an error's path (each field is owned by one service), and whether it reads as plural. */
const MISSING_BY_FIELD: Record<string, [what: string, plural: boolean]> = {
  product: ['product details', true],
  products: ['the catalogue', false],
  user: ['customer details', true],
  me: ['your account', false],
  orders: ['orders', true],
  order: ['the order', false],
  createOrder: ['ordering', false],
  cancelOrder: ['cancelling orders', false],
  updateOrderStatus: ['changing orders', false],
  login: ['signing in', false],
  register: ['registration', false],
};
const SOMETHING: [string, boolean] = ['part of the shop', false];

function productName(error: ShopError, context: MessageContext): string {
  const name = error.productId === undefined ? undefined : context.productNames?.get(error.productId);
  return name === undefined ? 'One of the products' : `“${name}”`;
}

/** What a SERVICE_UNAVAILABLE took away, read from the paths of its errors ("product details"). */
export function missingParts(error: ShopError): [what: string, plural: boolean][] {
  const parts = new Map<string, boolean>();
  for (const graphQLError of error.errors) {
    if (graphQLError.code !== 'SERVICE_UNAVAILABLE') continue;
    const field = [...(graphQLError.path ?? [])].reverse().find((segment): segment is string => typeof segment === 'string');
    const [what, plural] = (field === undefined ? undefined : MISSING_BY_FIELD[field]) ?? SOMETHING;
    parts.set(what, plural);
  }
  return [...parts];
}

function unavailable(error: ShopError): string {
  const missing = missingParts(error);
  const [what, plural] = missing.length === 0 ? SOMETHING : [missing.map(([part]) => part).join(' and '), missing.length > 1 || missing[0]![1]];
  return `${what[0]!.toUpperCase()}${what.slice(1)} ${plural ? 'are' : 'is'} unavailable right now. Please try again in a minute.`;
}

/**
 * createOrder's CONFLICT past the most open orders one customer may have: unlike the others, its
 * message is written for the customer (how many are open, what frees a slot), so it is shown as
 * sent. Its wording is pinned on the server by subgraphs/orders/test/checkout.test.ts.
 */
const OPEN_ORDERS_LIMIT = /\bopen orders? waiting for payment\b/;

/** The server's text as the page shows a message: ending in a full stop. */
const asSentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function retryIn(seconds: number | undefined): string {
  if (seconds === undefined) return 'Please wait a minute before trying again.';
  if (seconds <= 1) return 'Please try again in a second.';
  if (seconds < 120) return `Please try again in ${seconds} seconds.`;
  return `Please try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/**
 * One message per code the SDK can raise (the Record makes a new code a compile error here until
 * it has its message). None shows the server's own text, written for developers, but for the one
 * message written for the customer (OPEN_ORDERS_LIMIT).
 */
const BY_CODE: Record<ShopErrorCode, (error: ShopError, context: MessageContext) => string> = {
  UNAUTHENTICATED: (_error, { action }) =>
    action === 'sign-in' ? 'That email and password do not match an account.' : 'You have been signed out. Please sign in again.',
  FORBIDDEN: () => 'This is not yours to see or change.',
  NOT_FOUND: (error, context) =>
    error.productId === undefined ? 'We could not find that. It may have been removed.' : `${productName(error, context)} is no longer sold. Please remove it from your cart.`,
  BAD_USER_INPUT: (error, { action }) => {
    const field = error.field?.split('.').at(-1);
    if (field === 'quantity') return 'Each product can be ordered 1 to 1000 times.';
    if (field !== undefined && FIELD_ADVICE[field]) return FIELD_ADVICE[field];
    return action === 'checkout' ? 'Your order could not be placed as it is. Please check your cart.' : 'Please check what you entered.';
  },
  CONFLICT: (error, { action }) => {
    if (action === 'register') return 'An account with this email already exists. Sign in instead?';
    if (action === 'cancel') return 'This order can no longer be cancelled: it has already shipped or been cancelled.';
    if (action === 'move-status') return 'The order cannot move to that status from where it is now. Reload to see its current status.';
    if (action === 'checkout' && OPEN_ORDERS_LIMIT.test(error.message)) return asSentence(error.message);
    if (action === 'checkout') return 'Your cart changed while the order was being placed. Please place it again.';
    return 'That clashes with a change made meanwhile. Please reload and try again.';
  },
  INSUFFICIENT_STOCK: (error, context) => `${productName(error, context)} does not have enough stock for your order. Lower its quantity or remove it from your cart.`,
  SERVICE_UNAVAILABLE: (error) => unavailable(error),
  RATE_LIMITED: (error) => `Too many requests from you just now. ${retryIn(error.retryAfterSeconds)}`,
  // The storefront asks only for the SDK's documents, which all fit the gateway's default maximum: an operator set it lower.
  COST_ESTIMATED_TOO_EXPENSIVE: () => 'This page asks for more than the shop serves at once right now. Please try again later.',
  INTERNAL_SERVER_ERROR: () => 'Something went wrong on our side. Please try again.',
  PERSISTED_QUERY_NOT_FOUND: () => 'The shop was just updated. Please reload the page.',
  PERSISTED_QUERY_NOT_SUPPORTED: () => 'The shop was just updated. Please reload the page.',
  PERSISTED_QUERY_NOT_IN_LIST: () => 'The shop was just updated. Please reload the page.',
};

/** The sentence a shopper sees for anything a call to the shop threw. */
export function messageFor(error: unknown, context: MessageContext): string {
  if (error instanceof ShopError) return BY_CODE[error.code](error, context);
  if (error instanceof ShopNetworkError) return 'We cannot reach the shop right now. Check your connection and try again.';
  return 'Something went wrong in this page. Please reload it.';
}
