import { Controller } from '@nestjs/common';
import {
  INGEST_BACKFILL_GET_V1,
  INGEST_BACKFILL_START_V1,
  type BackfillRunV1,
  type GetBackfillRequestV1,
  type StartBackfillRequestV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { WebhookIngestException, WebhookIngestExceptionCode } from '../webhook-ingest.exception.js';
import { BackfillService } from './backfill.service.js';

@Controller()
export class BackfillHandler {
  constructor(private readonly backfills: BackfillService) {}

  /** Answers at once with the run, which goes on in the background. */
  @OnRpc(INGEST_BACKFILL_START_V1)
  start(request: StartBackfillRequestV1): Promise<BackfillRunV1> {
    return this.backfills.start(request.since === undefined ? undefined : new Date(request.since));
  }

  @OnRpc(INGEST_BACKFILL_GET_V1)
  async progress(request: GetBackfillRequestV1): Promise<BackfillRunV1> {
    const run = await this.backfills.find(request.runId);
    if (run === null)
      throw new WebhookIngestException(
        WebhookIngestExceptionCode.BACKFILL_NOT_FOUND,
        `no backfill ${request.runId}`,
      );
    return run;
  }
}
