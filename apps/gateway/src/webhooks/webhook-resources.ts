import { ApiProperty } from '@nestjs/swagger';
import type {
  CreatedWebhookEndpointV1,
  DeletedWebhookEndpointV1,
  ListV1,
  WebhookAttemptResourceV1,
  WebhookDeliveryResourceV1,
  WebhookDeliveryStatusV1,
  WebhookEndpointResourceV1,
  WebhookEndpointStatusV1,
} from '@aegis/contracts';

/** The OpenAPI descriptions of the outbound webhook routes' answers (docs/webhooks.md). */
export class WebhookEndpointResource implements WebhookEndpointResourceV1 {
  @ApiProperty({ enum: ['webhook_endpoint'] }) object!: 'webhook_endpoint';
  @ApiProperty({ example: 'we_5f0c1e9a2b3d4c5e6f708192' }) id!: string;
  @ApiProperty({ example: 'https://ops.example.com/aegis/hooks' }) url!: string;
  @ApiProperty({
    type: [String],
    example: ['billing.transaction.updated.v1', 'alert.payment_failed'],
    description: 'event types delivered to it, or `*` for every one',
  })
  events!: string[];
  @ApiProperty({ enum: ['enabled', 'disabled'] }) status!: WebhookEndpointStatusV1;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'since when every attempt failed; null when the last one succeeded',
  })
  failing_since!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disabled_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedWebhookEndpoint
  extends WebhookEndpointResource
  implements CreatedWebhookEndpointV1
{
  @ApiProperty({
    example: 'whsec_…',
    description: 'the signing secret (Aegis-Signature), shown this once',
  })
  secret!: string;
}

export class DeletedWebhookEndpoint implements DeletedWebhookEndpointV1 {
  @ApiProperty({ enum: ['webhook_endpoint'] }) object!: 'webhook_endpoint';
  @ApiProperty() id!: string;
  @ApiProperty({ enum: [true] }) deleted!: true;
}

export class WebhookEndpointList implements ListV1<WebhookEndpointResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [WebhookEndpointResource] }) data!: WebhookEndpointResource[];
  @ApiProperty() has_more!: boolean;
}

export class WebhookAttemptResource implements WebhookAttemptResourceV1 {
  @ApiProperty({ description: '1 for the first attempt' }) number!: number;
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'the receiver’s HTTP status; null when none came (refused, timed out)',
  })
  status_code!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() duration_ms!: number;
}

export class WebhookDeliveryResource implements WebhookDeliveryResourceV1 {
  @ApiProperty({ enum: ['webhook_delivery'] }) object!: 'webhook_delivery';
  @ApiProperty({ example: 'wd_5f0c1e9a2b3d4c5e6f7081920a1b2c3d' }) id!: string;
  @ApiProperty() endpoint_id!: string;
  @ApiProperty({ description: 'the delivered event’s id: the same on every attempt' })
  event_id!: string;
  @ApiProperty({ example: 'alert.payment_failed' }) event_type!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: WebhookDeliveryStatusV1;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_attempt_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  delivered_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failed_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: [WebhookAttemptResource], description: 'every attempt, first to last' })
  attempts!: WebhookAttemptResource[];
}

export class WebhookDeliveryList implements ListV1<WebhookDeliveryResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [WebhookDeliveryResource] }) data!: WebhookDeliveryResource[];
  @ApiProperty() has_more!: boolean;
}
