import { runSubgraph } from '@shop/service-kit';
import { ordersService } from './service.js';

await runSubgraph(ordersService);
