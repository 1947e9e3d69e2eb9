import { loaderById } from '@shop/service-kit';
import type { ProductsRepository } from './products-repository.js';

/** Built per request: one statement per batch of product lookups, nothing cached across requests. */
export function createLoaders(products: ProductsRepository) {
  return {
    productById: loaderById((ids) => products.listProductsByIds(ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
