import { BadUserInputError, NotFoundError, requireAdmin, requireUuid } from '@shop/service-kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { checkProductFields } from '../product-input.js';
import { requireInternalCaller } from '../internal-access.js';
import type { ProductFields } from '../products-repository.js';

export const Mutation: MutationResolvers = {
  createProduct: (_parent, { input }, { viewer, products }) => {
    requireAdmin(viewer);
    return products.createProduct(checkProductFields(input) as ProductFields);
  },

  updateProduct: async (_parent, { id, input }, { viewer, products }) => {
    requireAdmin(viewer);
    const productId = requireUuid(id, 'id');
    const fields = checkProductFields(input);
    if (Object.keys(fields).length === 0) throw new BadUserInputError('Give at least one field to change', 'input');
    const product = await products.updateProduct(productId, fields);
    if (!product) throw new NotFoundError(`No product ${id}`);
    return product;
  },

  reserveStock: (_parent, { orderId, items }, context) => {
    requireInternalCaller(context);
    return context.stock.reserve(orderId, items);
  },

  releaseStock: (_parent, { orderId }, context) => {
    requireInternalCaller(context);
    return context.stock.release(orderId);
  },
};
