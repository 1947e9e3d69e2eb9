import { runSubgraph } from '@shop/service-kit/run';
import { usersService } from './service.js';

await runSubgraph(usersService);
