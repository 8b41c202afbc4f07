import { Module } from '@nestjs/common';
import { GatewayEnv } from '../config/gateway.env.js';
import { ProxyAccessGuard } from './proxy-access.guard.js';
import { ProxyRoutes } from './proxy-routes.js';
import { ProxyUsageMeter } from './proxy-usage-meter.js';
import { ProxyController } from './proxy.controller.js';
import { UpstreamProxy } from './upstream-proxy.js';

/** The metered proxy: `/proxy/{route}/…` to the routes of `GATEWAY_ROUTES_FILE`. */
@Module({
  controllers: [ProxyController],
  providers: [
    {
      provide: ProxyRoutes,
      useFactory: (env: GatewayEnv) => ProxyRoutes.fromFile(env.GATEWAY_ROUTES_FILE),
      inject: [GatewayEnv],
    },
    ProxyAccessGuard,
    ProxyUsageMeter,
    UpstreamProxy,
  ],
})
export class ProxyModule {}
