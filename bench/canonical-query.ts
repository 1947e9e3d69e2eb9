/** The query the supergraph exists for: an Order, its User and its Products, each from its own service. */
export const CANONICAL = `query ($id: ID!) {
  order(id: $id) {
    id status createdAt updatedAt
    total { amountCents currency }
    user { id email name }
    items { quantity unitPrice { amountCents currency } product { id name price { amountCents } } }
  }
}`;
