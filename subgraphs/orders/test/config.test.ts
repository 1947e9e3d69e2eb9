import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', ...env });

describe("orders' config: stock an unpaid order or one customer may hold", () => {
  it('holds an unpaid order 30 minutes and lets a customer have 20 open orders unless told otherwise', () => {
    expect(load({})).toMatchObject({ ORDER_PAYMENT_WINDOW_MINUTES: 30, MAX_OPEN_ORDERS_PER_CUSTOMER: 20 });
    expect(load({ ORDER_PAYMENT_WINDOW_MINUTES: '15', MAX_OPEN_ORDERS_PER_CUSTOMER: '5' })).toMatchObject({ ORDER_PAYMENT_WINDOW_MINUTES: 15, MAX_OPEN_ORDERS_PER_CUSTOMER: 5 });
  });

  it.each([
    ['ORDER_PAYMENT_WINDOW_MINUTES', '0'],
    ['ORDER_PAYMENT_WINDOW_MINUTES', '2.5'],
    ['ORDER_PAYMENT_WINDOW_MINUTES', String(30 * 24 * 60 + 1)],
    ['ORDER_PAYMENT_WINDOW_MINUTES', 'half an hour'],
    ['MAX_OPEN_ORDERS_PER_CUSTOMER', '0'],
    ['MAX_OPEN_ORDERS_PER_CUSTOMER', '-1'],
    ['MAX_OPEN_ORDERS_PER_CUSTOMER', 'many'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(name);
  });
});
