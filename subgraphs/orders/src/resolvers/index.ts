import { DateTimeScalar } from '@shop/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Order } from './Order.js';
import { OrderItem } from './OrderItem.js';
import { Mutation } from './Mutation.js';
import { OrderStatusChange } from './OrderStatusChange.js';
import { Query } from './Query.js';
import { Subscription } from './Subscription.js';
import { User } from './User.js';
import { Webhook } from './Webhook.js';
import { WebhookDelivery } from './WebhookDelivery.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Subscription, Order, OrderItem, OrderStatusChange, User, Webhook, WebhookDelivery };
