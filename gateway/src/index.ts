import { runGateway } from '@shop/service-kit';
import { gatewayService } from './service.js';

await runGateway(gatewayService);
