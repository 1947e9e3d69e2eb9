import type { ServiceContext, Viewer } from '@shop/service-kit';
import type { Loaders } from './loaders.js';
import type { ProductsRepository } from './products-repository.js';

export interface ProductsContext extends ServiceContext {
  viewer: Viewer | null;
  loaders: Loaders;
  products: ProductsRepository;
}
