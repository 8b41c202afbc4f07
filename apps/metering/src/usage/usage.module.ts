import { Module } from '@nestjs/common';
import { UsageRecordedHandler } from './usage-recorded.handler.js';
import { UsageService } from './usage.service.js';

@Module({
  controllers: [UsageRecordedHandler],
  providers: [UsageService],
})
export class UsageModule {}
