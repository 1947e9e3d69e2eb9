import type { ProductResolvers } from '../__generated__/resolvers-types.js';

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  price: (product) => ({ amountCents: product.price_cents, currency: product.currency }),
  createdAt: (product) => product.created_at,
  updatedAt: (product) => product.updated_at,
};
