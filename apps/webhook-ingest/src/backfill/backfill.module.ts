import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { BackfillHandler } from './backfill.handler.js';
import { BackfillService } from './backfill.service.js';

@Module({
  imports: [IngestModule],
  controllers: [BackfillHandler],
  providers: [BackfillService],
})
export class BackfillModule {}
