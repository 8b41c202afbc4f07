import { Module } from '@nestjs/common';
import { ReplayHandler } from './replay.handler.js';
import { ReplayService } from './replay.service.js';

@Module({
  controllers: [ReplayHandler],
  providers: [ReplayService],
})
export class ReplayModule {}
