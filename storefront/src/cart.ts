import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MoneyFieldsFragment } from '@shop/sdk';
import { fieldsOf, readStored, writeStored } from './storage.js';

const CART_KEY = 'shop.cart';

export interface CartLine {
  productId: string;
  /** As shown when added: the cart names its lines without asking the catalogue again. */
  name: string;
  price: MoneyFieldsFragment;
  quantity: number;
}

export interface Cart {
  lines: CartLine[];
  /**
   * The idempotency key of this cart's checkout, made at the first attempt and kept (in
   * localStorage) until the order is placed: a second click, a retry after an error or a reload
   * mid-request sends the same key, so the server places one order. Any change to the lines drops
   * it, since the server refuses a key reused for other items.
   */
  checkoutKey?: string;
}

function asLine(value: unknown): CartLine | undefined {
  const fields = fieldsOf(value);
  const price = fieldsOf(fields?.price);
  if (!fields || !price) return undefined;
  const { productId, name, quantity } = fields;
  const { amountCents, currency } = price;
  if (typeof productId !== 'string' || typeof name !== 'string' || typeof quantity !== 'number' || typeof amountCents !== 'number' || typeof currency !== 'string') return undefined;
  return { productId, name, quantity, price: { amountCents, currency } };
}

function asCart(value: unknown): Cart | undefined {
  const fields = fieldsOf(value);
  if (!fields || !Array.isArray(fields.lines)) return undefined;
  const lines = fields.lines.map(asLine).filter((line) => line !== undefined);
  return typeof fields.checkoutKey === 'string' ? { lines, checkoutKey: fields.checkoutKey } : { lines };
}

const readCart = (): Cart => readStored(CART_KEY, asCart) ?? { lines: [] };

export interface CartApi {
  cart: Cart;
  add(line: CartLine): void;
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
  clear(): void;
  /** This cart's checkout key, made and stored now if it has none yet. */
  checkoutKey(): string;
}

/** The cart, kept in localStorage and shared by this origin's tabs (the `storage` event). */
export function useCart(): CartApi {
  const [cart, setCart] = useState(readCart);
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === CART_KEY || event.key === null) setCart(readCart());
    };
    addEventListener('storage', onStorage);
    return () => removeEventListener('storage', onStorage);
  }, []);
  // Read and written through localStorage at once, so a reload right after a click keeps it.
  const update = useCallback((change: (current: Cart) => Cart) => {
    const next = change(readCart());
    writeStored(CART_KEY, next);
    setCart(next);
    return next;
  }, []);
  const setLines = useCallback((lines: (current: CartLine[]) => CartLine[]) => update((current) => ({ lines: lines(current.lines).filter((line) => line.quantity > 0) })), [update]);
  return {
    cart,
    add: (line) =>
      setLines((lines) =>
        lines.some((existing) => existing.productId === line.productId)
          ? lines.map((existing) => (existing.productId === line.productId ? { ...line, quantity: existing.quantity + line.quantity } : existing))
          : [...lines, line],
      ),
    setQuantity: (productId, quantity) => setLines((lines) => lines.map((line) => (line.productId === productId ? { ...line, quantity } : line))),
    remove: (productId) => setLines((lines) => lines.filter((line) => line.productId !== productId)),
    clear: () => update(() => ({ lines: [] })),
    checkoutKey: () => update((current) => (current.checkoutKey ? current : { ...current, checkoutKey: crypto.randomUUID() })).checkoutKey!,
  };
}

export const cartSize = (cart: Cart) => cart.lines.reduce((sum, line) => sum + line.quantity, 0);
