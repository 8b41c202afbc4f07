import { Controller, Get, Logger, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { join } from 'node:path';
import { GatewayEnv } from '../config/gateway.env.js';
import { DashboardException, DashboardExceptionCode } from './dashboard.exception.js';
import {
  ASSET_HEADERS,
  PAGE_HEADERS,
  defaultDashboardDirectory,
  loadBuiltDashboard,
  type BuiltDashboard,
} from './dashboard-assets.js';

/**
 * `GET /dashboard`: the operator's dashboard, a single page built by Vite
 * (apps/dashboard) that reads only the public API. Only the files of the
 * build are served, each by its exact name.
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardAssetsController {
  private readonly built: BuiltDashboard | null;

  constructor(env: GatewayEnv) {
    const directory = env.DASHBOARD_ASSETS_DIR ?? defaultDashboardDirectory();
    this.built = loadBuiltDashboard(directory);
    if (this.built === null)
      new Logger(DashboardAssetsController.name).warn(
        `the dashboard is not built (no ${join(directory, 'index.html')}): npm run build makes it`,
      );
  }

  @Get()
  page(@Res() response: Response): void {
    response.set(PAGE_HEADERS).status(200).send(this.dashboard().page);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const built = this.dashboard();
    if (!built.assets.has(file)) throw new NotFoundException(`no dashboard asset ${file}`);
    // Relative to its root: the compiled system may sit under a dot folder (.build-jest), which
    // send refuses in the path itself.
    response.sendFile(file, { root: join(built.directory, 'assets'), headers: ASSET_HEADERS });
  }

  private dashboard(): BuiltDashboard {
    if (this.built === null)
      throw new DashboardException(
        DashboardExceptionCode.NOT_BUILT,
        'the dashboard is not built: run npm run build',
      );
    return this.built;
  }
}
