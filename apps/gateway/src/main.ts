import { runService } from '@aegis/platform';
import { AppModule } from './app.module.js';
import { gatewayServiceOptions } from './gateway.options.js';

runService(AppModule, 'gateway', gatewayServiceOptions);
