import { Controller } from '@nestjs/common';
import {
  DISPUTES_ACCEPT_V1,
  DISPUTES_EVIDENCE_V1,
  DISPUTES_FRAUD_WARNING_LIST_V1,
  DISPUTES_GET_V1,
  DISPUTES_LIST_V1,
  stripeEventName,
  type DisputeRefV1,
  type DisputeReplyV1,
  type Envelope,
  type EventName,
  type EventPayload,
  type ListDisputesReplyV1,
  type ListDisputesRequestV1,
  type ListFraudWarningsReplyV1,
  type ListFraudWarningsRequestV1,
  type SubmitEvidenceRequestV1,
} from '@aegis/contracts';
import { OnEvent, OnRpc, type ConsumeContext } from '@aegis/messaging';
import { FraudWarningsService } from '../fraud-warnings/fraud-warnings.service.js';
import { DisputeMirrorService } from './dispute-mirror.service.js';
import { DisputesService } from './disputes.service.js';

const DISPUTE_CREATED = stripeEventName('charge.dispute.created');
const DISPUTE_UPDATED = stripeEventName('charge.dispute.updated');
const DISPUTE_CLOSED = stripeEventName('charge.dispute.closed');
const DISPUTE_FUNDS_WITHDRAWN = stripeEventName('charge.dispute.funds_withdrawn');
const DISPUTE_FUNDS_REINSTATED = stripeEventName('charge.dispute.funds_reinstated');
const WARNING_CREATED = stripeEventName('radar.early_fraud_warning.created');
const WARNING_UPDATED = stripeEventName('radar.early_fraud_warning.updated');

type EnvelopeOf<K extends EventName> = Envelope<K, EventPayload<K>>;

/** Stripe's dispute and fraud warning events as webhook-ingest fans them out. */
@Controller()
export class StripeDisputeEventsHandler {
  constructor(
    private readonly mirror: DisputeMirrorService,
    private readonly fraudWarnings: FraudWarningsService,
  ) {}

  @OnEvent(DISPUTE_CREATED)
  async created(event: EnvelopeOf<typeof DISPUTE_CREATED>, context: ConsumeContext): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(DISPUTE_UPDATED)
  async updated(event: EnvelopeOf<typeof DISPUTE_UPDATED>, context: ConsumeContext): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(DISPUTE_CLOSED)
  async closed(event: EnvelopeOf<typeof DISPUTE_CLOSED>, context: ConsumeContext): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(DISPUTE_FUNDS_WITHDRAWN)
  async fundsWithdrawn(
    event: EnvelopeOf<typeof DISPUTE_FUNDS_WITHDRAWN>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(DISPUTE_FUNDS_REINSTATED)
  async fundsReinstated(
    event: EnvelopeOf<typeof DISPUTE_FUNDS_REINSTATED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.mirror.apply(event, context);
  }

  @OnEvent(WARNING_CREATED)
  async warningCreated(
    event: EnvelopeOf<typeof WARNING_CREATED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.fraudWarnings.apply(event, context);
  }

  @OnEvent(WARNING_UPDATED)
  async warningUpdated(
    event: EnvelopeOf<typeof WARNING_UPDATED>,
    context: ConsumeContext,
  ): Promise<void> {
    await this.fraudWarnings.apply(event, context);
  }
}

/** The disputes service's RPC routes (libs/contracts/src/rpc/disputes.v1.ts). */
@Controller()
export class DisputesHandler {
  constructor(
    private readonly disputes: DisputesService,
    private readonly fraudWarnings: FraudWarningsService,
  ) {}

  @OnRpc(DISPUTES_LIST_V1)
  list(request: ListDisputesRequestV1): Promise<ListDisputesReplyV1> {
    return this.disputes.list(request);
  }

  @OnRpc(DISPUTES_GET_V1)
  get(request: DisputeRefV1): Promise<DisputeReplyV1> {
    return this.disputes.get(request);
  }

  @OnRpc(DISPUTES_EVIDENCE_V1)
  evidence(request: SubmitEvidenceRequestV1): Promise<DisputeReplyV1> {
    return this.disputes.submitEvidence(request);
  }

  @OnRpc(DISPUTES_ACCEPT_V1)
  accept(request: DisputeRefV1): Promise<DisputeReplyV1> {
    return this.disputes.accept(request);
  }

  @OnRpc(DISPUTES_FRAUD_WARNING_LIST_V1)
  listFraudWarnings(request: ListFraudWarningsRequestV1): Promise<ListFraudWarningsReplyV1> {
    return this.fraudWarnings.list(request);
  }
}
