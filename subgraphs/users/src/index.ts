import { runSubgraph } from '@shop/service-kit';
import { usersService } from './service.js';

await runSubgraph(usersService);
