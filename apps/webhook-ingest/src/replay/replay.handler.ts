import { Controller } from '@nestjs/common';
import {
  INGEST_STRIPE_EVENT_REPLAY_V1,
  type ReplayRequestV1,
  type ReplayResultV1,
} from '@aegis/contracts';
import { OnRpc } from '@aegis/messaging';
import { replaySelectionOf } from './replay-selection.js';
import { ReplayService } from './replay.service.js';

@Controller()
export class ReplayHandler {
  constructor(private readonly replays: ReplayService) {}

  @OnRpc(INGEST_STRIPE_EVENT_REPLAY_V1)
  replay(request: ReplayRequestV1): Promise<ReplayResultV1> {
    return this.replays.replay(replaySelectionOf(request), request.force ?? false);
  }
}
