import { checkPageSize, requireViewer, toConnection } from '@shop/service-kit';
import type { QueryOrdersArgs, QueryResolvers, QueryWebhookDeliveriesArgs, QueryWebhooksArgs } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';

export const Query: QueryResolvers = {
  order: async (_parent, { id }, { viewer, loaders }) => readableOrder(viewer, await loaders.orderById.load(id)),

  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  orders: async (_parent, { first, after, status }: QueryOrdersArgs, { viewer, orders }) => {
    const signedIn = requireViewer(viewer);
    const size = checkPageSize(first ?? 20);
    const userId = signedIn.role === 'ADMIN' ? null : signedIn.userId;
    const page = await orders.listOrdersPage({ limit: size + 1, after, userId, status });
    return toConnection(page.rows, size, page.totalCount);
  },

  webhooks: (_parent, { first, after }: QueryWebhooksArgs, { viewer, webhooks }) => webhooks.list(viewer, { first, after }),

  webhook: (_parent, { id }, { viewer, webhooks }) => webhooks.find(viewer, id),

  webhookDeliveries: (_parent, args: QueryWebhookDeliveriesArgs, { viewer, webhooks }) => webhooks.deliveries(viewer, args),
};
