import { randomBytes } from 'node:crypto';
import { request } from './graphql.js';
import type { Customer } from './scenarios.js';

/** Products the admin adds for the customers' orders: stock enough for any run, so no order fails for want of it. */
export const CATALOGUE_STOCK = 10_000_000;

export interface CustomerOptions {
  /** How many customers (at least 20: a distinct scenario needs many tokens in flight). */
  customers: number;
  ordersEach: number;
  /** How many products the admin adds for them to order (3 per order, rotating). */
  products: number;
}

/**
 * The 3 products of order `order` of customer `customer`: consecutive (mod the catalogue) from a
 * point that moves one per order, so orders differ in their products and every product is ordered.
 */
export function orderProducts(customer: number, order: number, ordersEach: number, productIds: string[]): string[] {
  if (productIds.length < 3) throw new Error('an order of 3 products needs at least 3 products');
  const start = customer * ordersEach + order;
  return [0, 1, 2].map((offset) => productIds[(start + offset) % productIds.length]!);
}

/**
 * Creates the distinct scenarios' customers through the gateway at `gatewayUrl`, as a shop's
 * clients would: the admin adds `products` products, then each customer registers (its own
 * account, password and token) and places `ordersEach` orders of 3 products, one unit each, with
 * createOrder. A few at a time: registration hashes a password. Returns the customers and the
 * products with their initial stock (for the consistency check).
 */
export async function createCustomers(gatewayUrl: string, adminToken: string, options: CustomerOptions): Promise<{ customers: Customer[]; products: Map<string, number> }> {
  const products = new Map<string, number>();
  for (let n = 1; n <= options.products; n++) {
    const { createProduct } = await request<{ createProduct: { id: string } }>(
      gatewayUrl,
      'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { name: `Bench catalogue ${n}`, description: 'Ordered by the bench customers.', priceCents: 500 + 100 * n, currency: 'EUR', stock: CATALOGUE_STOCK } },
      adminToken,
    );
    products.set(createProduct.id, CATALOGUE_STOCK);
  }
  const productIds = [...products.keys()];
  const run = randomBytes(4).toString('hex');
  const customers = new Array<Customer>(options.customers);
  const createOne = async (index: number) => {
    const { register } = await request<{ register: { token: string; user: { id: string } } }>(
      gatewayUrl,
      'mutation ($input: RegisterInput!) { register(input: $input) { token user { id } } }',
      { input: { email: `customer-${index + 1}-${run}@bench.example.com`, password: randomBytes(12).toString('hex'), name: `Bench customer ${index + 1}` } },
    );
    const orderIds: string[] = [];
    for (let order = 0; order < options.ordersEach; order++) {
      const items = orderProducts(index, order, options.ordersEach, productIds).map((productId) => ({ productId, quantity: 1 }));
      const { createOrder } = await request<{ createOrder: { id: string } }>(
        gatewayUrl,
        'mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }',
        { input: { items, idempotencyKey: `bench-customer-${run}-${index}-${order}` } },
        register.token,
      );
      orderIds.push(createOrder.id);
    }
    customers[index] = { id: register.user.id, token: register.token, orderIds };
  };
  let next = 0;
  const worker = async () => {
    while (next < options.customers) await createOne(next++);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return { customers, products };
}
