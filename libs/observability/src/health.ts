import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';

/** One readiness condition: resolves to a terminus result, `up` or `down`. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<HealthIndicatorResult>;
}

/** Multi-provider token: every module that makes a service "ready" contributes a check. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly readiness: readonly ReadinessCheck[],
  ) {}

  /** The process is up and its event loop answers; nothing external is checked. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.readiness.map((indicator) => () => indicator.check()));
  }
}
