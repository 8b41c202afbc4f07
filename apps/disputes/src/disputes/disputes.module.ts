import { Module } from '@nestjs/common';
import { FraudWarningsService } from '../fraud-warnings/fraud-warnings.service.js';
import { DisputeMirrorService } from './dispute-mirror.service.js';
import { DisputeSweeper } from './dispute-sweeper.js';
import { DisputesHandler, StripeDisputeEventsHandler } from './disputes.handler.js';
import { DisputesService } from './disputes.service.js';
import { LedgerLinks } from './ledger-links.js';
import { LedgerEventsHandler } from './ledger-events.handler.js';

/** Disputes and early fraud warnings: the mirror, the RPC routes and the sweep. */
@Module({
  controllers: [StripeDisputeEventsHandler, DisputesHandler, LedgerEventsHandler],
  providers: [
    LedgerLinks,
    DisputeMirrorService,
    DisputesService,
    FraudWarningsService,
    DisputeSweeper,
  ],
})
export class DisputesModule {}
