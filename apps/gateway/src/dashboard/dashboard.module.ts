import { Global, Module } from '@nestjs/common';
import { DashboardAssetsController } from './dashboard-assets.controller.js';
import { DashboardSessionController } from './dashboard-session.controller.js';
import { DashboardSessions } from './dashboard-sessions.service.js';

/**
 * The operator's dashboard: its built page and assets, and its sign-in
 * sessions; global because the API key guard of every feature module admits
 * a signed-in dashboard as the admin.
 */
@Global()
@Module({
  controllers: [DashboardSessionController, DashboardAssetsController],
  providers: [DashboardSessions],
  exports: [DashboardSessions],
})
export class DashboardModule {}
