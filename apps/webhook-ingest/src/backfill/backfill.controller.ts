import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AdminTokenGuard } from '../admin-auth/admin-token.guard.js';
import type { BackfillRunV1 } from '@aegis/contracts';
import { WebhookIngestException, WebhookIngestExceptionCode } from '../webhook-ingest.exception.js';
import { BackfillService } from './backfill.service.js';
import { BackfillRunParams } from './dto/backfill-run.params.js';
import { StartBackfillDto } from './dto/start-backfill.dto.js';

@Controller('admin/backfills')
@UseGuards(AdminTokenGuard)
export class BackfillController {
  constructor(private readonly backfills: BackfillService) {}

  /** Starts a backfill or joins the one under way; 202 with the run, which goes on in the background. */
  @Post()
  @HttpCode(202)
  async start(
    @Body() request: StartBackfillDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BackfillRunV1> {
    const run = await this.backfills.start(
      request.since === undefined ? undefined : new Date(request.since),
    );
    response.setHeader('Location', `/admin/backfills/${run.id}`);
    return run;
  }

  @Get(':runId')
  async progress(@Param() params: BackfillRunParams): Promise<BackfillRunV1> {
    const run = await this.backfills.find(params.runId);
    if (run === null)
      throw new WebhookIngestException(
        WebhookIngestExceptionCode.BACKFILL_NOT_FOUND,
        `no backfill ${params.runId}`,
      );
    return run;
  }
}
