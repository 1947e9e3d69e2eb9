/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What a customer orders: the products and quantities, and a key that makes a retried click safe. */
export type CreateOrderInput = {
  /**
   * Chosen by the client per checkout (a UUID, say; 1 to 200 characters). Repeating createOrder with
   * the same key returns the first order and reserves nothing twice; the same key with other items is CONFLICT.
   */
  idempotencyKey: string;
  /** 1 to 50 items, each product at most once. */
  items: Array<OrderItemInput>;
};

/** A new product (admins only). */
export type CreateProductInput = {
  /** ISO 4217 code: three capital letters. */
  currency: string;
  /** Up to 5000 characters. */
  description: string;
  /** 1 to 200 characters. */
  name: string;
  /** Unit price in minor units, 0 or more. */
  priceCents: number;
  /** Units available, 0 or more. */
  stock: number;
};

/** One product and how many of it. */
export type OrderItemInput = {
  /** The product to order. */
  productId: string | number;
  /** 1 to 1000 units. */
  quantity: number;
};

/** Where an order is in its life: PENDING → PAID → SHIPPED → DELIVERED, or CANCELLED from PENDING or PAID. */
export type OrderStatus =
  /** Called off before shipping; its stock went back to the catalogue. */
  | 'CANCELLED'
  /** Received by the customer. */
  | 'DELIVERED'
  /** Paid, waiting to ship. */
  | 'PAID'
  /** Placed, stock reserved, not yet paid. */
  | 'PENDING'
  /** Handed to the carrier. */
  | 'SHIPPED';

/** What a new customer gives to sign up. */
export type RegisterInput = {
  /** A valid email address, unique regardless of case. */
  email: string;
  /** Display name, 1 to 100 characters. */
  name: string;
  /** At least 8 characters. */
  password: string;
};

/** What a user may do. Customers order for themselves; admins manage the catalogue and all orders. */
export type Role =
  /** Runs the shop: manages products, sees every order and every user. */
  | 'ADMIN'
  /** Shops for themselves: sees their own orders and profile. */
  | 'CUSTOMER';

/** Changes to the signed-in user's profile: any subset of the fields. */
export type UpdateMeInput = {
  /** The user's password, needed to change the email. */
  currentPassword?: string | null | undefined;
  /** A valid email address, unique regardless of case. Changing it needs `currentPassword`. */
  email?: string | null | undefined;
  /** Display name, 1 to 100 characters. */
  name?: string | null | undefined;
};

/** Changes to a product (admins only); fields left out stay as they are. */
export type UpdateProductInput = {
  /** ISO 4217 code: three capital letters. */
  currency?: string | null | undefined;
  /** Up to 5000 characters. */
  description?: string | null | undefined;
  /** 1 to 200 characters. */
  name?: string | null | undefined;
  /** Unit price in minor units, 0 or more. */
  priceCents?: number | null | undefined;
  /** Units available, 0 or more. */
  stock?: number | null | undefined;
};

/** Where a delivery is: waiting for an attempt (PENDING), answered 2xx (SUCCEEDED), or given up after its retry schedule (FAILED, the dead letter). */
export type WebhookDeliveryStatus =
  /** Every attempt of its retry schedule failed (or the endpoint answered 410 Gone); an admin may redeliver it. */
  | 'FAILED'
  /** Not yet answered 2xx; the next attempt is due at nextAttemptAt. */
  | 'PENDING'
  /** The endpoint answered 2xx. */
  | 'SUCCEEDED';

/** An order event a webhook can subscribe to; delivered with its `type` spelled `order.placed`, `order.paid`, ... */
export type WebhookEvent =
  /** An order was cancelled and its stock given back: `order.cancelled`. */
  | 'ORDER_CANCELLED'
  /** An order reached its customer: `order.delivered`. */
  | 'ORDER_DELIVERED'
  /** An order was paid: `order.paid`. */
  | 'ORDER_PAID'
  /** An order was placed (PENDING): `order.placed`. */
  | 'ORDER_PLACED'
  /** An order was handed to the carrier: `order.shipped`. */
  | 'ORDER_SHIPPED';

export type MoneyFieldsFragment = { amountCents: number, currency: string };

export type UserFieldsFragment = { id: string, email: string, name: string, role: Role, createdAt: string };

export type ProductFieldsFragment = { id: string, name: string, description: string, stock: number, createdAt: string, updatedAt: string, price: { amountCents: number, currency: string } };

export type OrderFieldsFragment = { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> };

export type PageInfoFieldsFragment = { hasNextPage: boolean, endCursor: string | null };

export type SessionFieldsFragment = { token: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } };

export type OrderQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderQuery = { order: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } | null, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } | null };

export type OrderPageQueryVariables = Exact<{
  id: string | number;
}>;


export type OrderPageQuery = { order: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, statusHistory: Array<{ status: OrderStatus, at: string }>, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string } & ({ name: string } | { name?: never }) & ({ description: string } | { description?: never }) & ({ stock: number } | { stock?: never }) | null }> } & ({ user: { id: string, email: string, name: string, role: Role, createdAt: string } | null } | { user?: never }) | null };

export type OrdersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: OrderStatus | null | undefined;
}>;


export type OrdersQuery = { orders: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, status: OrderStatus, createdAt: string, updatedAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } | null, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> }> } };

export type CreateOrderMutationVariables = Exact<{
  input: CreateOrderInput;
}>;


export type CreateOrderMutation = { createOrder: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } };

export type UpdateOrderStatusMutationVariables = Exact<{
  id: string | number;
  status: OrderStatus;
}>;


export type UpdateOrderStatusMutation = { updateOrderStatus: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } };

export type CancelOrderMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelOrderMutation = { cancelOrder: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } };

export type OrderUpdatedSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type OrderUpdatedSubscription = { orderUpdated: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } | null, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } };

export type MyOrderUpdatesSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type MyOrderUpdatesSubscription = { myOrderUpdates: { id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> } };

export type ProductsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
}>;


export type ProductsQuery = { products: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, description: string, stock: number, createdAt: string, updatedAt: string, price: { amountCents: number, currency: string } }> } };

export type ProductQueryVariables = Exact<{
  id: string | number;
}>;


export type ProductQuery = { product: { id: string, name: string, description: string, stock: number, createdAt: string, updatedAt: string, price: { amountCents: number, currency: string } } | null };

export type CreateProductMutationVariables = Exact<{
  input: CreateProductInput;
}>;


export type CreateProductMutation = { createProduct: { id: string, name: string, description: string, stock: number, createdAt: string, updatedAt: string, price: { amountCents: number, currency: string } } };

export type UpdateProductMutationVariables = Exact<{
  id: string | number;
  input: UpdateProductInput;
}>;


export type UpdateProductMutation = { updateProduct: { id: string, name: string, description: string, stock: number, createdAt: string, updatedAt: string, price: { amountCents: number, currency: string } } };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { register: { token: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } } };

export type LoginMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type LoginMutation = { login: { token: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } } };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, email: string, name: string, role: Role, createdAt: string } | null };

export type MyOrdersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type MyOrdersQuery = { me: { id: string, orders: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, status: OrderStatus, createdAt: string, updatedAt: string, total: { amountCents: number, currency: string }, items: Array<{ quantity: number, unitPrice: { amountCents: number, currency: string }, product: { id: string, name: string, description: string, stock: number } | null }>, statusHistory: Array<{ status: OrderStatus, at: string }> }> } | null } | null };

export type UserQueryVariables = Exact<{
  id: string | number;
}>;


export type UserQuery = { user: { id: string, email: string, name: string, role: Role, createdAt: string } | null };

export type RefreshSessionMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshSessionMutation = { refreshSession: { token: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } } };

export type SignOutMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutMutation = { signOut: boolean };

export type SignOutEverywhereMutationVariables = Exact<{ [key: string]: never; }>;


export type SignOutEverywhereMutation = { signOutEverywhere: boolean };

export type UpdateMeMutationVariables = Exact<{
  input: UpdateMeInput;
}>;


export type UpdateMeMutation = { updateMe: { id: string, email: string, name: string, role: Role, createdAt: string } };

export type ChangePasswordMutationVariables = Exact<{
  currentPassword: string;
  newPassword: string;
}>;


export type ChangePasswordMutation = { changePassword: { token: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, email: string, name: string, role: Role, createdAt: string } } };

export type UsersQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
  role?: Role | null | undefined;
}>;


export type UsersQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, email: string, name: string, role: Role, createdAt: string }> } };

export type SetUserRoleMutationVariables = Exact<{
  id: string | number;
  role: Role;
}>;


export type SetUserRoleMutation = { setUserRole: { id: string, email: string, name: string, role: Role, createdAt: string } };

export type DeleteMeMutationVariables = Exact<{
  currentPassword: string;
}>;


export type DeleteMeMutation = { deleteMe: boolean };

export type DeleteUserMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteUserMutation = { deleteUser: boolean };

export type WebhookFieldsFragment = { id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string };

export type WebhookDeliveryFieldsFragment = { id: string, eventId: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, nextAttemptAt: string | null, lastAttemptAt: string | null, lastResponseCode: number | null, lastError: string | null, createdAt: string, updatedAt: string, webhook: { id: string, url: string }, order: { id: string, status: OrderStatus } | null };

export type CreateWebhookMutationVariables = Exact<{
  url: string;
  events: Array<WebhookEvent> | WebhookEvent;
  description?: string | null | undefined;
}>;


export type CreateWebhookMutation = { createWebhook: { secret: string, webhook: { id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string } } };

export type WebhooksQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhooksQuery = { webhooks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string }> } };

export type WebhookDeliveriesQueryVariables = Exact<{
  webhookId?: string | number | null | undefined;
  status?: WebhookDeliveryStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WebhookDeliveriesQuery = { webhookDeliveries: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, eventId: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, nextAttemptAt: string | null, lastAttemptAt: string | null, lastResponseCode: number | null, lastError: string | null, createdAt: string, updatedAt: string, webhook: { id: string, url: string }, order: { id: string, status: OrderStatus } | null }> } };

export type DisableWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DisableWebhookMutation = { disableWebhook: { id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string } };

export type EnableWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type EnableWebhookMutation = { enableWebhook: { id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string } };

export type DeleteWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookMutation = { deleteWebhook: string };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
  keepPreviousForSeconds?: number | null | undefined;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret: { secret: string, webhook: { id: string, url: string, events: Array<WebhookEvent>, description: string, enabled: boolean, disabledReason: string | null, createdAt: string, updatedAt: string } } };

export type RedeliverWebhookDeliveryMutationVariables = Exact<{
  id: string | number;
}>;


export type RedeliverWebhookDeliveryMutation = { redeliverWebhookDelivery: { id: string, eventId: string, event: WebhookEvent, status: WebhookDeliveryStatus, attempts: number, nextAttemptAt: string | null, lastAttemptAt: string | null, lastResponseCode: number | null, lastError: string | null, createdAt: string, updatedAt: string, webhook: { id: string, url: string }, order: { id: string, status: OrderStatus } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const MoneyFieldsFragmentDoc = new TypedDocumentString(`
    fragment MoneyFields on Money {
  amountCents
  currency
}
    `, {"fragmentName":"MoneyFields"}) as unknown as TypedDocumentString<MoneyFieldsFragment, unknown>;
export const ProductFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProductFields on Product {
  id
  name
  description
  price {
    ...MoneyFields
  }
  stock
  createdAt
  updatedAt
}
    fragment MoneyFields on Money {
  amountCents
  currency
}`, {"fragmentName":"ProductFields"}) as unknown as TypedDocumentString<ProductFieldsFragment, unknown>;
export const OrderFieldsFragmentDoc = new TypedDocumentString(`
    fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}`, {"fragmentName":"OrderFields"}) as unknown as TypedDocumentString<OrderFieldsFragment, unknown>;
export const PageInfoFieldsFragmentDoc = new TypedDocumentString(`
    fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}
    `, {"fragmentName":"PageInfoFields"}) as unknown as TypedDocumentString<PageInfoFieldsFragment, unknown>;
export const UserFieldsFragmentDoc = new TypedDocumentString(`
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
    `, {"fragmentName":"UserFields"}) as unknown as TypedDocumentString<UserFieldsFragment, unknown>;
export const SessionFieldsFragmentDoc = new TypedDocumentString(`
    fragment SessionFields on AuthPayload {
  token
  accessTokenExpiresAt
  refreshToken
  refreshTokenExpiresAt
  user {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"fragmentName":"SessionFields"}) as unknown as TypedDocumentString<SessionFieldsFragment, unknown>;
export const WebhookFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}
    `, {"fragmentName":"WebhookFields"}) as unknown as TypedDocumentString<WebhookFieldsFragment, unknown>;
export const WebhookDeliveryFieldsFragmentDoc = new TypedDocumentString(`
    fragment WebhookDeliveryFields on WebhookDelivery {
  id
  eventId
  event
  status
  attempts
  nextAttemptAt
  lastAttemptAt
  lastResponseCode
  lastError
  createdAt
  updatedAt
  webhook {
    id
    url
  }
  order {
    id
    status
  }
}
    `, {"fragmentName":"WebhookDeliveryFields"}) as unknown as TypedDocumentString<WebhookDeliveryFieldsFragment, unknown>;
export const OrderDocument = new TypedDocumentString(`
    query Order($id: ID!) {
  order(id: $id) {
    ...OrderFields
    user {
      ...UserFields
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"21df9fcb8a8278ec2537531aae93d7ec8a87f660891d9ad33dca3f4a0fcd6a3f"}) as unknown as TypedDocumentString<OrderQuery, OrderQueryVariables>;
export const OrderPageDocument = new TypedDocumentString(`
    query OrderPage($id: ID!) {
  order(id: $id) {
    id
    status
    total {
      ...MoneyFields
    }
    createdAt
    updatedAt
    statusHistory {
      status
      at
    }
    items {
      quantity
      unitPrice {
        ...MoneyFields
      }
      product {
        id
        ... @defer(label: "product") {
          name
          description
          stock
        }
      }
    }
    ... @defer(label: "user") {
      user {
        ...UserFields
      }
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"hash":"90204ccf5cef6bb409ce75e20f0bb572459cfc657e499dd98d4a9dca290f3801"}) as unknown as TypedDocumentString<OrderPageQuery, OrderPageQueryVariables>;
export const OrdersDocument = new TypedDocumentString(`
    query Orders($first: Int, $after: String, $status: OrderStatus) {
  orders(first: $first, after: $after, status: $status) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    nodes {
      ...OrderFields
      user {
        ...UserFields
      }
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}
fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}`, {"hash":"f2c2286fc9d224a7dfd9f7e786b6cabba24cc6a205ba7e8cd40c2fe7246cafa7"}) as unknown as TypedDocumentString<OrdersQuery, OrdersQueryVariables>;
export const CreateOrderDocument = new TypedDocumentString(`
    mutation CreateOrder($input: CreateOrderInput!) {
  createOrder(input: $input) {
    ...OrderFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"a1ee637cf0393968f77dd5266e66113f242a046e0607e184ea85da8ae87a7f2d"}) as unknown as TypedDocumentString<CreateOrderMutation, CreateOrderMutationVariables>;
export const UpdateOrderStatusDocument = new TypedDocumentString(`
    mutation UpdateOrderStatus($id: ID!, $status: OrderStatus!) {
  updateOrderStatus(id: $id, status: $status) {
    ...OrderFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"41b3e62fa0ee45a83bf7100f554cde31bdff2d5104f6230cefe9c2ca348f4f69"}) as unknown as TypedDocumentString<UpdateOrderStatusMutation, UpdateOrderStatusMutationVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
    mutation CancelOrder($id: ID!) {
  cancelOrder(id: $id) {
    ...OrderFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"bbb854438ae42047f86c42d018bdccd2865bdac2ae11a5b097360fc468e6b71a"}) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;
export const OrderUpdatedDocument = new TypedDocumentString(`
    subscription OrderUpdated($id: ID!, $after: String) {
  orderUpdated(id: $id, after: $after) {
    ...OrderFields
    user {
      ...UserFields
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"c2d7c5d17205f3614df4432629d2693cd975b8f5bcc6dc92f3ec30a1c0ec90f9"}) as unknown as TypedDocumentString<OrderUpdatedSubscription, OrderUpdatedSubscriptionVariables>;
export const MyOrderUpdatesDocument = new TypedDocumentString(`
    subscription MyOrderUpdates($after: String) {
  myOrderUpdates(after: $after) {
    ...OrderFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}`, {"hash":"c24b10fbc0da7e2be78a60b57186f19135cf7cce8374149f6126a5dd83af1e40"}) as unknown as TypedDocumentString<MyOrderUpdatesSubscription, MyOrderUpdatesSubscriptionVariables>;
export const ProductsDocument = new TypedDocumentString(`
    query Products($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    nodes {
      ...ProductFields
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment ProductFields on Product {
  id
  name
  description
  price {
    ...MoneyFields
  }
  stock
  createdAt
  updatedAt
}
fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}`, {"hash":"9c0ec4eb14765603ec5ce7d2d35fbbda895ccc00721a47a908a81c30f4ab71be"}) as unknown as TypedDocumentString<ProductsQuery, ProductsQueryVariables>;
export const ProductDocument = new TypedDocumentString(`
    query Product($id: ID!) {
  product(id: $id) {
    ...ProductFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment ProductFields on Product {
  id
  name
  description
  price {
    ...MoneyFields
  }
  stock
  createdAt
  updatedAt
}`, {"hash":"e5d949135a42a38dbcfb6753c4d9128c55b064f3bafc04ff96e17cbead7fc953"}) as unknown as TypedDocumentString<ProductQuery, ProductQueryVariables>;
export const CreateProductDocument = new TypedDocumentString(`
    mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) {
    ...ProductFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment ProductFields on Product {
  id
  name
  description
  price {
    ...MoneyFields
  }
  stock
  createdAt
  updatedAt
}`, {"hash":"127ab4b3fc253f317f871f41efb5fc067cf21e6f83aa2976bd515f5da525830a"}) as unknown as TypedDocumentString<CreateProductMutation, CreateProductMutationVariables>;
export const UpdateProductDocument = new TypedDocumentString(`
    mutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) {
    ...ProductFields
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment ProductFields on Product {
  id
  name
  description
  price {
    ...MoneyFields
  }
  stock
  createdAt
  updatedAt
}`, {"hash":"d1a60928ff40507fe47585c9c55836d91f0b9b290e8109087cd41c0c51ff4086"}) as unknown as TypedDocumentString<UpdateProductMutation, UpdateProductMutationVariables>;
export const RegisterDocument = new TypedDocumentString(`
    mutation Register($input: RegisterInput!) {
  register(input: $input) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment SessionFields on AuthPayload {
  token
  accessTokenExpiresAt
  refreshToken
  refreshTokenExpiresAt
  user {
    ...UserFields
  }
}`, {"hash":"bb57382d19b8e4ac04962376a195f0f8584665c6d4f44ecc37da6e8c6361ed7c"}) as unknown as TypedDocumentString<RegisterMutation, RegisterMutationVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment SessionFields on AuthPayload {
  token
  accessTokenExpiresAt
  refreshToken
  refreshTokenExpiresAt
  user {
    ...UserFields
  }
}`, {"hash":"7696a82d1180b7a1d722649e105a9db19fae71ddc2fd96846c272920cc1929d1"}) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"hash":"07132a60d6f39feed9fcf6ad73d10d57bf2b01213d165dbfedc065b36a55ea2c"}) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const MyOrdersDocument = new TypedDocumentString(`
    query MyOrders($first: Int, $after: String) {
  me {
    id
    orders(first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PageInfoFields
      }
      nodes {
        ...OrderFields
      }
    }
  }
}
    fragment MoneyFields on Money {
  amountCents
  currency
}
fragment OrderFields on Order {
  id
  status
  total {
    ...MoneyFields
  }
  createdAt
  updatedAt
  items {
    quantity
    unitPrice {
      ...MoneyFields
    }
    product {
      id
      name
      description
      stock
    }
  }
  statusHistory {
    status
    at
  }
}
fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}`, {"hash":"eb89b8acccea9f3b79bbcc9f87c7ccef5e5509255263bc4898b203e43d591bc8"}) as unknown as TypedDocumentString<MyOrdersQuery, MyOrdersQueryVariables>;
export const UserDocument = new TypedDocumentString(`
    query User($id: ID!) {
  user(id: $id) {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"hash":"e5f11d27fbfc0c7c5302380239ec64f4bfff066412d4a9d28b32298538607e64"}) as unknown as TypedDocumentString<UserQuery, UserQueryVariables>;
export const RefreshSessionDocument = new TypedDocumentString(`
    mutation RefreshSession($refreshToken: String!) {
  refreshSession(refreshToken: $refreshToken) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment SessionFields on AuthPayload {
  token
  accessTokenExpiresAt
  refreshToken
  refreshTokenExpiresAt
  user {
    ...UserFields
  }
}`, {"hash":"6524d57cd9a3b193e61828a305539fcfc586bb6c18111f54792d22ecb2e7654b"}) as unknown as TypedDocumentString<RefreshSessionMutation, RefreshSessionMutationVariables>;
export const SignOutDocument = new TypedDocumentString(`
    mutation SignOut {
  signOut
}
    `, {"hash":"39300be1f6ff47633a8c264de2a924d5b71367b646d3bf86d82d7c51c6543956"}) as unknown as TypedDocumentString<SignOutMutation, SignOutMutationVariables>;
export const SignOutEverywhereDocument = new TypedDocumentString(`
    mutation SignOutEverywhere {
  signOutEverywhere
}
    `, {"hash":"4c1763fb9c6a63882642b282f19ad507e4417c23a4c59c3b633e9f8fe21b26dc"}) as unknown as TypedDocumentString<SignOutEverywhereMutation, SignOutEverywhereMutationVariables>;
export const UpdateMeDocument = new TypedDocumentString(`
    mutation UpdateMe($input: UpdateMeInput!) {
  updateMe(input: $input) {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"hash":"7cdf4616c859d76266d7e8824a4bf4071d388987ee68b17b4e9295c4b9c0fa5b"}) as unknown as TypedDocumentString<UpdateMeMutation, UpdateMeMutationVariables>;
export const ChangePasswordDocument = new TypedDocumentString(`
    mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {
    ...SessionFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment SessionFields on AuthPayload {
  token
  accessTokenExpiresAt
  refreshToken
  refreshTokenExpiresAt
  user {
    ...UserFields
  }
}`, {"hash":"d0d48eeb742ceef6f17adf983f829fb143786c44e0b3edeff9886c66b5fa417e"}) as unknown as TypedDocumentString<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const UsersDocument = new TypedDocumentString(`
    query Users($first: Int, $after: String, $search: String, $role: Role) {
  users(first: $first, after: $after, search: $search, role: $role) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    nodes {
      ...UserFields
    }
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}
fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}`, {"hash":"c73a15e12274f7a4f1672ebfb5b29f47eebb7b32a826f295f6b799b85aee3efb"}) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const SetUserRoleDocument = new TypedDocumentString(`
    mutation SetUserRole($id: ID!, $role: Role!) {
  setUserRole(id: $id, role: $role) {
    ...UserFields
  }
}
    fragment UserFields on User {
  id
  email
  name
  role
  createdAt
}`, {"hash":"3e2966d67bb790a19c728d3a1dfaff53e1f99c96f55e29e04e2028ca3ca95f67"}) as unknown as TypedDocumentString<SetUserRoleMutation, SetUserRoleMutationVariables>;
export const DeleteMeDocument = new TypedDocumentString(`
    mutation DeleteMe($currentPassword: String!) {
  deleteMe(currentPassword: $currentPassword)
}
    `, {"hash":"4352d39ba87211ef971199f73cc1dd032b42c9869959dab620aeb210497d3005"}) as unknown as TypedDocumentString<DeleteMeMutation, DeleteMeMutationVariables>;
export const DeleteUserDocument = new TypedDocumentString(`
    mutation DeleteUser($id: ID!) {
  deleteUser(id: $id)
}
    `, {"hash":"7eec65beac3a0b9a79e62d5f62ba19f8b3d13194bc6b74bf867a1b464f3e5c36"}) as unknown as TypedDocumentString<DeleteUserMutation, DeleteUserMutationVariables>;
export const CreateWebhookDocument = new TypedDocumentString(`
    mutation CreateWebhook($url: String!, $events: [WebhookEvent!]!, $description: String) {
  createWebhook(url: $url, events: $events, description: $description) {
    secret
    webhook {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}`, {"hash":"669bce39448da1ddbd9abaf92fc6a65d1cce0e003e6703662885f9955decde32"}) as unknown as TypedDocumentString<CreateWebhookMutation, CreateWebhookMutationVariables>;
export const WebhooksDocument = new TypedDocumentString(`
    query Webhooks($first: Int, $after: String) {
  webhooks(first: $first, after: $after) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    nodes {
      ...WebhookFields
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}
fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}`, {"hash":"b05244b031b873dad80360b16f950dafb18936c1d4094cd7d4bff68755d4c7c4"}) as unknown as TypedDocumentString<WebhooksQuery, WebhooksQueryVariables>;
export const WebhookDeliveriesDocument = new TypedDocumentString(`
    query WebhookDeliveries($webhookId: ID, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(
    webhookId: $webhookId
    status: $status
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      ...PageInfoFields
    }
    nodes {
      ...WebhookDeliveryFields
    }
  }
}
    fragment PageInfoFields on PageInfo {
  hasNextPage
  endCursor
}
fragment WebhookDeliveryFields on WebhookDelivery {
  id
  eventId
  event
  status
  attempts
  nextAttemptAt
  lastAttemptAt
  lastResponseCode
  lastError
  createdAt
  updatedAt
  webhook {
    id
    url
  }
  order {
    id
    status
  }
}`, {"hash":"b9b28b7f16be3e1b60bb3cad75c0c1f9a163b43afca1997af7fa8cac0d1d873f"}) as unknown as TypedDocumentString<WebhookDeliveriesQuery, WebhookDeliveriesQueryVariables>;
export const DisableWebhookDocument = new TypedDocumentString(`
    mutation DisableWebhook($id: ID!) {
  disableWebhook(id: $id) {
    ...WebhookFields
  }
}
    fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}`, {"hash":"0aee6a3922f4a06640f95c0e854838a2d6b4a85de312eb911263d08b6144b68a"}) as unknown as TypedDocumentString<DisableWebhookMutation, DisableWebhookMutationVariables>;
export const EnableWebhookDocument = new TypedDocumentString(`
    mutation EnableWebhook($id: ID!) {
  enableWebhook(id: $id) {
    ...WebhookFields
  }
}
    fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}`, {"hash":"92bec897271ca72592971f5e91eae8a92bf3667c68dc3dc8d8a50157e4f0ecac"}) as unknown as TypedDocumentString<EnableWebhookMutation, EnableWebhookMutationVariables>;
export const DeleteWebhookDocument = new TypedDocumentString(`
    mutation DeleteWebhook($id: ID!) {
  deleteWebhook(id: $id)
}
    `, {"hash":"2ea84e97b9e1fc90ac3b7194a2a2e7577ee5821dc5c1a8ffb8cba9e05241f262"}) as unknown as TypedDocumentString<DeleteWebhookMutation, DeleteWebhookMutationVariables>;
export const RotateWebhookSecretDocument = new TypedDocumentString(`
    mutation RotateWebhookSecret($id: ID!, $keepPreviousForSeconds: Int) {
  rotateWebhookSecret(id: $id, keepPreviousForSeconds: $keepPreviousForSeconds) {
    secret
    webhook {
      ...WebhookFields
    }
  }
}
    fragment WebhookFields on Webhook {
  id
  url
  events
  description
  enabled
  disabledReason
  createdAt
  updatedAt
}`, {"hash":"327a1730938cfb3dcbee3efe98b3bc7349122f30539cf41251de68920cdacbc6"}) as unknown as TypedDocumentString<RotateWebhookSecretMutation, RotateWebhookSecretMutationVariables>;
export const RedeliverWebhookDeliveryDocument = new TypedDocumentString(`
    mutation RedeliverWebhookDelivery($id: ID!) {
  redeliverWebhookDelivery(id: $id) {
    ...WebhookDeliveryFields
  }
}
    fragment WebhookDeliveryFields on WebhookDelivery {
  id
  eventId
  event
  status
  attempts
  nextAttemptAt
  lastAttemptAt
  lastResponseCode
  lastError
  createdAt
  updatedAt
  webhook {
    id
    url
  }
  order {
    id
    status
  }
}`, {"hash":"3c7a6b4d6da46f160fde4cce45b90cd5accb6d595c891943f7444d692fdd9f24"}) as unknown as TypedDocumentString<RedeliverWebhookDeliveryMutation, RedeliverWebhookDeliveryMutationVariables>;