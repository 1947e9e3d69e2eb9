import { describe, expect, it } from 'vitest';
import { SHOP_ERROR_CODES, ShopError, ShopNetworkError, type ShopErrorCode } from '@shop/sdk';
import { messageFor, type Action } from '../src/messages.js';

const SERVER_TEXT = 'text written for developers';
/** A ShopError as the SDK makes it from a server's answer. */
const shopError = (code: ShopErrorCode, extra: { path?: string[]; productId?: string; field?: string }[] = [{}], retryAfterSeconds?: number) =>
  new ShopError(
    extra.map((fields) => ({ message: SERVER_TEXT, code, ...fields })),
    null,
    code === 'RATE_LIMITED' ? 429 : 200,
    retryAfterSeconds,
  );
const ACTIONS: Action[] = ['load', 'sign-in', 'register', 'checkout', 'cancel', 'move-status'];

describe('storefront messages', () => {
  it.each(SHOP_ERROR_CODES)('has a sentence for a shopper for %s, whatever they were doing', (code) => {
    for (const action of ACTIONS) {
      const message = messageFor(shopError(code), { action });
      expect(message).toMatch(/^[A-Z“].+\.( .+[.?])?$/);
      expect(message).not.toContain(code);
      expect(message).not.toContain(SERVER_TEXT);
    }
  });

  it('names the product that is short', () => {
    const error = shopError('INSUFFICIENT_STOCK', [{ productId: 'p2' }]);
    expect(messageFor(error, { action: 'checkout', productNames: new Map([['p1', 'Mug'], ['p2', 'Hand grinder']]) })).toMatch(/^“Hand grinder” does not have enough stock/);
    expect(messageFor(error, { action: 'checkout' })).toMatch(/^One of the products does not have enough stock/);
  });

  it('says what is missing when a service is down', () => {
    expect(messageFor(shopError('SERVICE_UNAVAILABLE', [{ path: ['order', 'items', '0', 'product'] }]), { action: 'load' })).toBe(
      'Product details are unavailable right now. Please try again in a minute.',
    );
    const twoDown = shopError('SERVICE_UNAVAILABLE', [{ path: ['orders', 'nodes', '0', 'user'] }, { path: ['orders', 'nodes', '0', 'items', '0', 'product'] }, { path: ['orders', 'nodes', '1', 'user'] }]);
    expect(messageFor(twoDown, { action: 'load' })).toBe('Customer details and product details are unavailable right now. Please try again in a minute.');
    expect(messageFor(shopError('SERVICE_UNAVAILABLE', [{ path: ['products'] }]), { action: 'load' })).toBe('The catalogue is unavailable right now. Please try again in a minute.');
    expect(messageFor(shopError('SERVICE_UNAVAILABLE', [{ path: ['createOrder'] }]), { action: 'checkout' })).toMatch(/^Ordering is unavailable/);
  });

  it('says when to retry after RATE_LIMITED', () => {
    expect(messageFor(shopError('RATE_LIMITED', [{}], 17), { action: 'load' })).toBe('Too many requests from you just now. Please try again in 17 seconds.');
    expect(messageFor(shopError('RATE_LIMITED', [{}], 600), { action: 'load' })).toMatch(/in 10 minutes\.$/);
    expect(messageFor(shopError('RATE_LIMITED'), { action: 'load' })).toMatch(/wait a minute/);
  });

  it('reads UNAUTHENTICATED, CONFLICT and BAD_USER_INPUT by what the shopper was doing', () => {
    expect(messageFor(shopError('UNAUTHENTICATED'), { action: 'sign-in' })).toBe('That email and password do not match an account.');
    expect(messageFor(shopError('UNAUTHENTICATED'), { action: 'checkout' })).toMatch(/signed out/);
    expect(messageFor(shopError('CONFLICT'), { action: 'register' })).toMatch(/already exists/);
    expect(messageFor(shopError('CONFLICT'), { action: 'cancel' })).toMatch(/can no longer be cancelled/);
    expect(messageFor(shopError('BAD_USER_INPUT', [{ field: 'password' }]), { action: 'register' })).toBe('Passwords need at least 8 characters.');
    expect(messageFor(shopError('BAD_USER_INPUT', [{ field: 'items.0.quantity' }]), { action: 'checkout' })).toMatch(/1 to 1000/);
    expect(messageFor(shopError('NOT_FOUND', [{ productId: 'p1' }]), { action: 'checkout', productNames: new Map([['p1', 'Mug']]) })).toBe('“Mug” is no longer sold. Please remove it from your cart.');
  });

  it('shows the open-orders limit at checkout as the server words it for the customer, and only that CONFLICT', () => {
    const limit = 'You have 20 open orders waiting for payment, the most one customer may have: pay or cancel one of them to place another';
    const conflict = (message: string) => new ShopError([{ message, code: 'CONFLICT', path: ['createOrder'] }], null, 200);
    expect(messageFor(conflict(limit), { action: 'checkout' })).toBe(`${limit}.`);
    expect(messageFor(conflict('This idempotencyKey was used for an order with other items'), { action: 'checkout' })).toMatch(/^Your cart changed/);
  });

  it('tells an unreachable shop from a fault of the page', () => {
    expect(messageFor(new ShopNetworkError('Could not reach the shop at http://127.0.0.1/graphql'), { action: 'load' })).toMatch(/cannot reach the shop/);
    expect(messageFor(new TypeError('x is undefined'), { action: 'load' })).toMatch(/reload/);
  });
});
