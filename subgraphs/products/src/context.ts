import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { ProductsRepository } from './products-repository.js';

export interface ProductsContext extends SubgraphContext {
  loaders: Loaders;
  products: ProductsRepository;
}
