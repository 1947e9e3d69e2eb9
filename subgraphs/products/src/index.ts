import { runSubgraph } from '@shop/service-kit/run';
import { productsService } from './service.js';

await runSubgraph(productsService);
