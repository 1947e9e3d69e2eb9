/**
 * The demo shop that `npm start` seeds on an empty database in development (DESIGN.md §2).
 * Each service seeds only its own part; the ids are fixed so the parts refer to each other.
 * These passwords are public demo data: production never seeds them, and users disables a demo
 * account that still opens with its published password.
 */
export const DEMO_USERS = [
  {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'admin@example.com',
    password: 'admin-password',
    name: 'Ada Admin',
    role: 'ADMIN',
  },
  {
    id: '00000000-0000-4000-8000-000000000002',
    email: 'alice@example.com',
    password: 'alice-password',
    name: 'Alice Customer',
    role: 'CUSTOMER',
  },
] as const;

const product = (n: number, name: string, description: string, priceCents: number, stock: number) => ({
  id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  name,
  description,
  priceCents,
  currency: 'EUR',
  stock,
});

export const DEMO_PRODUCTS = [
  product(1, 'Espresso cup', 'Thick-walled porcelain cup, 80 ml.', 1200, 40),
  product(2, 'Pour-over kettle', 'Gooseneck kettle, 1 l, stainless steel.', 4900, 15),
  product(3, 'Hand grinder', 'Conical burr grinder with 30 settings.', 8900, 12),
  product(4, 'Coffee beans, Ethiopia', 'Light roast, 250 g, notes of jasmine and peach.', 1450, 80),
  product(5, 'Coffee beans, Brazil', 'Medium roast, 250 g, notes of cocoa and nuts.', 1150, 90),
  product(6, 'Paper filters', '100 filters for a size-02 dripper.', 650, 200),
  product(7, 'Ceramic dripper', 'Size-02 dripper with spiral ribs.', 2500, 25),
  product(8, 'Milk jug', 'Stainless steel, 350 ml, for latte art.', 1900, 30),
  product(9, 'Digital scale', 'Scale with timer, 0.1 g resolution.', 3900, 20),
  product(10, 'Travel mug', 'Vacuum-insulated, 350 ml, leak-proof lid.', 2900, 35),
  product(11, 'Cold brew jar', 'Glass jar with mesh filter, 1 l.', 3400, 18),
  product(12, 'Cleaning tablets', '50 tablets for espresso machines.', 990, 60),
];

export const DEMO_ORDERS = [
  {
    id: '00000000-0000-4000-a000-000000000001',
    userId: DEMO_USERS[1].id,
    status: 'DELIVERED',
    items: [
      { productId: DEMO_PRODUCTS[2]!.id, quantity: 1 },
      { productId: DEMO_PRODUCTS[3]!.id, quantity: 2 },
    ],
  },
  {
    id: '00000000-0000-4000-a000-000000000002',
    userId: DEMO_USERS[1].id,
    status: 'PENDING',
    items: [
      { productId: DEMO_PRODUCTS[0]!.id, quantity: 2 },
      { productId: DEMO_PRODUCTS[5]!.id, quantity: 1 },
      { productId: DEMO_PRODUCTS[6]!.id, quantity: 1 },
    ],
  },
  {
    id: '00000000-0000-4000-a000-000000000003',
    userId: DEMO_USERS[0].id,
    status: 'PAID',
    items: [{ productId: DEMO_PRODUCTS[8]!.id, quantity: 1 }],
  },
] as const;

export function demoProduct(id: string) {
  const found = DEMO_PRODUCTS.find((p) => p.id === id);
  if (!found) throw new Error(`No demo product ${id}`);
  return found;
}
