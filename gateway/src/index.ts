import { runGateway } from '@shop/service-kit/run';
import { gatewayService } from './service.js';

await runGateway(gatewayService);
