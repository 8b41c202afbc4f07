import { Module } from '@nestjs/common';
import { PlatformModule } from '@aegis/platform';
import { GatewayEnv } from './config/gateway.env.js';
import { gatewayStorage } from './gateway.storage.js';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'gateway', env: GatewayEnv, storage: gatewayStorage }),
  ],
})
export class AppModule {}
