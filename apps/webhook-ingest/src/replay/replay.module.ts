import { Module } from '@nestjs/common';
import { ReplayController } from './replay.controller.js';
import { ReplayService } from './replay.service.js';

@Module({
  controllers: [ReplayController],
  providers: [ReplayService],
})
export class ReplayModule {}
