import { checkPageSize, requireUuid, requireViewer, toConnection } from '@shop/service-kit';
import type { QueryOrdersArgs, QueryResolvers, QueryWebhookDeliveriesArgs, QueryWebhooksArgs } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';

export const Query: QueryResolvers = {
  // A well-formed id of no order is null (DESIGN.md §2); one that cannot be an id is BAD_USER_INPUT.
  order: async (_parent, { id }, { viewer, loaders }) => readableOrder(viewer, await loaders.orderById.load(requireUuid(id, 'id'))),

  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  orders: async (_parent, { first, after, status }: QueryOrdersArgs, { viewer, orders }) => {
    const signedIn = requireViewer(viewer);
    const size = checkPageSize(first ?? 20);
    const userId = signedIn.role === 'ADMIN' ? null : signedIn.userId;
    const page = await orders.listOrdersPage({ limit: size + 1, after, userId, status });
    return toConnection(page.rows, size, page.totalCount);
  },

  webhooks: (_parent, { first, after }: QueryWebhooksArgs, { viewer, webhooks }) => webhooks.list(viewer, { first, after }),

  webhook: (_parent, { id }, { viewer, webhooks }) => webhooks.find(viewer, requireUuid(id, 'id')),

  webhookDeliveries: (_parent, args: QueryWebhookDeliveriesArgs, { viewer, webhooks }) =>
    webhooks.deliveries(viewer, { ...args, webhookId: args.webhookId == null ? args.webhookId : requireUuid(args.webhookId, 'webhookId') }),
};
