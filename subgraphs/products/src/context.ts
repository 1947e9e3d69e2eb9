import type { SubgraphContext } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { ProductsRepository } from './products-repository.js';
import type { StockKeeper } from './stock-keeper.js';

export interface ProductsContext extends SubgraphContext {
  loaders: Loaders;
  products: ProductsRepository;
  stock: StockKeeper;
  /** The request carries the service credential: another service (orders) is calling. */
  internalCaller: boolean;
}
