import { Module } from '@nestjs/common';
import { MetersModule } from '../meters/meters.module.js';
import { UsageClaims } from './usage-claims.js';
import { UsageReader } from './usage-reader.js';
import { UsageRecordedHandler } from './usage-recorded.handler.js';
import { UsageStore } from './usage-store.js';
import { UsageWriter } from './usage-writer.js';
import { UsageHandler } from './usage.handler.js';
import { UsageService } from './usage.service.js';

@Module({
  imports: [MetersModule],
  controllers: [UsageRecordedHandler, UsageHandler],
  providers: [UsageService, UsageReader, UsageClaims, UsageStore, UsageWriter],
})
export class UsageModule {}
