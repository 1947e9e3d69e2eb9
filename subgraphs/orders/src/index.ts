import { runSubgraph } from '@shop/service-kit/run';
import { ordersService } from './service.js';

await runSubgraph(ordersService);
