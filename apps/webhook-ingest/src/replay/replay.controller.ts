import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InvalidInputException } from '@aegis/platform';
import { AdminTokenGuard } from '../admin-auth/admin-token.guard.js';
import { ReplayRequestDto } from './dto/replay-request.dto.js';
import { replaySelectionOf } from './replay-selection.js';
import type { ReplayResultV1 } from '@aegis/contracts';
import { ReplayService } from './replay.service.js';

@Controller('admin/events')
@UseGuards(AdminTokenGuard)
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post('replay')
  @HttpCode(200)
  async replay(@Body() request: ReplayRequestDto): Promise<ReplayResultV1> {
    const parsed = replaySelectionOf(request);
    if ('problems' in parsed) throw new InvalidInputException([...parsed.problems]);
    return this.replays.replay(parsed.selection, request.force ?? false);
  }
}
