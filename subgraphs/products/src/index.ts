import { runSubgraph } from '@shop/service-kit';
import { productsService } from './service.js';

await runSubgraph(productsService);
