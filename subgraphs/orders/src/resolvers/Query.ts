import { checkPageSize, requireAdmin, requireUuid, requireViewer, toConnection } from '@shop/service-kit';
import type { QueryOrdersArgs, QueryResolvers, QueryWebhookDeliveriesArgs, QueryWebhooksArgs } from '../__generated__/resolvers-types.js';
import { readableOrder } from '../order-access.js';
import { adminsId, signedInsId } from './id-arguments.js';

export const Query: QueryResolvers = {
  // A well-formed id of no order is null (DESIGN.md §2); one that cannot be an id is BAD_USER_INPUT
  // (after UNAUTHENTICATED: who asks comes first; whose order it is, once it is read).
  order: async (_parent, { id }, { viewer, loaders }) => readableOrder(viewer, await loaders.orderById.load(signedInsId(viewer, id))),

  // The arguments as sent: codegen makes `first` non-null for its default, but an explicit `first: null` arrives as null.
  orders: async (_parent, { first, after, status }: QueryOrdersArgs, { viewer, orders }) => {
    const signedIn = requireViewer(viewer);
    const size = checkPageSize(first ?? 20);
    const userId = signedIn.role === 'ADMIN' ? null : signedIn.userId;
    const page = await orders.listOrdersPage({ limit: size + 1, after, userId, status });
    return toConnection(page.rows, size, page.totalCount);
  },

  webhooks: (_parent, { first, after }: QueryWebhooksArgs, { viewer, webhooks }) => webhooks.list(viewer, { first, after }),

  webhook: (_parent, { id }, { viewer, webhooks }) => webhooks.find(viewer, adminsId(viewer, id)),

  webhookDeliveries: (_parent, args: QueryWebhookDeliveriesArgs, { viewer, webhooks }) => {
    requireAdmin(viewer);
    return webhooks.deliveries(viewer, { ...args, webhookId: args.webhookId == null ? args.webhookId : requireUuid(args.webhookId, 'webhookId') });
  },
};
