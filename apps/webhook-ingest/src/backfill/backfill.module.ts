import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module.js';
import { BackfillController } from './backfill.controller.js';
import { BackfillService } from './backfill.service.js';

@Module({
  imports: [IngestModule],
  controllers: [BackfillController],
  providers: [BackfillService],
})
export class BackfillModule {}
