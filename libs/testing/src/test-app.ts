import { JsonLogger } from '@aegis/observability';
import {
  listenAsService,
  serviceApplicationOptions,
  type RunningService,
  type ServiceOptions,
} from '@aegis/platform';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

export interface TestAppOptions extends ServiceOptions {
  /** Changes to the testing module before it compiles, e.g. `overrideProvider(...)`. */
  readonly configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * Starts an app module in this process as its service would start (the same
 * logger, body limits, broker transport and HTTP listener as `startService`),
 * built through @nestjs/testing's `Test.createTestingModule`. Point it at the
 * test's database and broker first with `useTestEnvironment`.
 */
export async function startTestService(
  appModule: Type | DynamicModule,
  service: string,
  { configure = (builder) => builder, ...options }: TestAppOptions = {},
): Promise<RunningService> {
  const moduleRef = await configure(Test.createTestingModule({ imports: [appModule] })).compile();
  const logger = new JsonLogger(service);
  const app = moduleRef.createNestApplication<NestExpressApplication>(
    serviceApplicationOptions(logger),
  );
  return listenAsService(app, logger, service, options);
}
