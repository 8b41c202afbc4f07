import { Global, Module } from '@nestjs/common';
import { AuditLogController } from '../audit/audit-log.controller.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { KeyAdmission } from '../auth/key-admission.js';
import { CustomerDirectory } from '../customers/customer-directory.js';
import { CustomersController } from '../customers/customers.controller.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { IdempotencySweeper } from '../idempotency/idempotency-sweeper.js';
import { RateLimitsService } from '../rate-limit/rate-limits.service.js';
import { ApiKeyCache } from './api-key-cache.js';
import { ApiKeyUsageTracker } from './api-key-usage-tracker.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * Keys and what every authenticated route shares (guard, rate limits,
 * idempotency, audit); global so every feature module's controllers can use
 * `@RequireApiKey()`.
 */
@Global()
@Module({
  controllers: [CustomersController, ApiKeysController, AuditLogController],
  providers: [
    ApiKeysService,
    ApiKeyCache,
    ApiKeyUsageTracker,
    ApiKeyGuard,
    KeyAdmission,
    RateLimitsService,
    IdempotencyInterceptor,
    IdempotencySweeper,
    AuditLogService,
    CustomerDirectory,
  ],
  exports: [
    ApiKeysService,
    ApiKeyGuard,
    KeyAdmission,
    IdempotencyInterceptor,
    AuditLogService,
    CustomerDirectory,
  ],
})
export class ApiKeysModule {}
