/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment MoneyFields on Money {\n  amountCents\n  currency\n}\n\nfragment UserFields on User {\n  id\n  email\n  name\n  role\n  createdAt\n}\n\nfragment ProductFields on Product {\n  id\n  name\n  description\n  price {\n    ...MoneyFields\n  }\n  stock\n  createdAt\n  updatedAt\n}\n\nfragment OrderFields on Order {\n  id\n  status\n  total {\n    ...MoneyFields\n  }\n  createdAt\n  updatedAt\n  items {\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    product {\n      id\n      name\n      description\n      stock\n    }\n  }\n  statusHistory {\n    status\n    at\n  }\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}": typeof types.MoneyFieldsFragmentDoc,
    "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Orders($first: Int, $after: String, $status: OrderStatus) {\n  orders(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...OrderFields\n      user {\n        ...UserFields\n      }\n    }\n  }\n}\n\nmutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderFields\n  }\n}\n\nmutation UpdateOrderStatus($id: ID!, $status: OrderStatus!) {\n  updateOrderStatus(id: $id, status: $status) {\n    ...OrderFields\n  }\n}\n\nmutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderFields\n  }\n}": typeof types.OrderDocument,
    "query Products($first: Int, $after: String, $search: String) {\n  products(first: $first, after: $after, search: $search) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...ProductFields\n    }\n  }\n}\n\nquery Product($id: ID!) {\n  product(id: $id) {\n    ...ProductFields\n  }\n}\n\nmutation CreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    ...ProductFields\n  }\n}\n\nmutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    ...ProductFields\n  }\n}": typeof types.ProductsDocument,
    "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nquery MyOrders($first: Int, $after: String) {\n  me {\n    id\n    orders(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageInfoFields\n      }\n      nodes {\n        ...OrderFields\n      }\n    }\n  }\n}\n\nquery User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n  }\n}": typeof types.RegisterDocument,
};
const documents: Documents = {
    "fragment MoneyFields on Money {\n  amountCents\n  currency\n}\n\nfragment UserFields on User {\n  id\n  email\n  name\n  role\n  createdAt\n}\n\nfragment ProductFields on Product {\n  id\n  name\n  description\n  price {\n    ...MoneyFields\n  }\n  stock\n  createdAt\n  updatedAt\n}\n\nfragment OrderFields on Order {\n  id\n  status\n  total {\n    ...MoneyFields\n  }\n  createdAt\n  updatedAt\n  items {\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    product {\n      id\n      name\n      description\n      stock\n    }\n  }\n  statusHistory {\n    status\n    at\n  }\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}": types.MoneyFieldsFragmentDoc,
    "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Orders($first: Int, $after: String, $status: OrderStatus) {\n  orders(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...OrderFields\n      user {\n        ...UserFields\n      }\n    }\n  }\n}\n\nmutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderFields\n  }\n}\n\nmutation UpdateOrderStatus($id: ID!, $status: OrderStatus!) {\n  updateOrderStatus(id: $id, status: $status) {\n    ...OrderFields\n  }\n}\n\nmutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderFields\n  }\n}": types.OrderDocument,
    "query Products($first: Int, $after: String, $search: String) {\n  products(first: $first, after: $after, search: $search) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...ProductFields\n    }\n  }\n}\n\nquery Product($id: ID!) {\n  product(id: $id) {\n    ...ProductFields\n  }\n}\n\nmutation CreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    ...ProductFields\n  }\n}\n\nmutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    ...ProductFields\n  }\n}": types.ProductsDocument,
    "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nquery MyOrders($first: Int, $after: String) {\n  me {\n    id\n    orders(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageInfoFields\n      }\n      nodes {\n        ...OrderFields\n      }\n    }\n  }\n}\n\nquery User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n  }\n}": types.RegisterDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment MoneyFields on Money {\n  amountCents\n  currency\n}\n\nfragment UserFields on User {\n  id\n  email\n  name\n  role\n  createdAt\n}\n\nfragment ProductFields on Product {\n  id\n  name\n  description\n  price {\n    ...MoneyFields\n  }\n  stock\n  createdAt\n  updatedAt\n}\n\nfragment OrderFields on Order {\n  id\n  status\n  total {\n    ...MoneyFields\n  }\n  createdAt\n  updatedAt\n  items {\n    quantity\n    unitPrice {\n      ...MoneyFields\n    }\n    product {\n      id\n      name\n      description\n      stock\n    }\n  }\n  statusHistory {\n    status\n    at\n  }\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  endCursor\n}"): typeof import('./graphql.js').MoneyFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Order($id: ID!) {\n  order(id: $id) {\n    ...OrderFields\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Orders($first: Int, $after: String, $status: OrderStatus) {\n  orders(first: $first, after: $after, status: $status) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...OrderFields\n      user {\n        ...UserFields\n      }\n    }\n  }\n}\n\nmutation CreateOrder($input: CreateOrderInput!) {\n  createOrder(input: $input) {\n    ...OrderFields\n  }\n}\n\nmutation UpdateOrderStatus($id: ID!, $status: OrderStatus!) {\n  updateOrderStatus(id: $id, status: $status) {\n    ...OrderFields\n  }\n}\n\nmutation CancelOrder($id: ID!) {\n  cancelOrder(id: $id) {\n    ...OrderFields\n  }\n}"): typeof import('./graphql.js').OrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Products($first: Int, $after: String, $search: String) {\n  products(first: $first, after: $after, search: $search) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    nodes {\n      ...ProductFields\n    }\n  }\n}\n\nquery Product($id: ID!) {\n  product(id: $id) {\n    ...ProductFields\n  }\n}\n\nmutation CreateProduct($input: CreateProductInput!) {\n  createProduct(input: $input) {\n    ...ProductFields\n  }\n}\n\nmutation UpdateProduct($id: ID!, $input: UpdateProductInput!) {\n  updateProduct(id: $id, input: $input) {\n    ...ProductFields\n  }\n}"): typeof import('./graphql.js').ProductsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Register($input: RegisterInput!) {\n  register(input: $input) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nmutation Login($email: String!, $password: String!) {\n  login(email: $email, password: $password) {\n    token\n    user {\n      ...UserFields\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...UserFields\n  }\n}\n\nquery MyOrders($first: Int, $after: String) {\n  me {\n    id\n    orders(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        ...PageInfoFields\n      }\n      nodes {\n        ...OrderFields\n      }\n    }\n  }\n}\n\nquery User($id: ID!) {\n  user(id: $id) {\n    ...UserFields\n  }\n}"): typeof import('./graphql.js').RegisterDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
