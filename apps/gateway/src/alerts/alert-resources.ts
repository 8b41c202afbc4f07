import { ApiProperty } from '@nestjs/swagger';
import { ALERT_TYPES, type AlertResourceV1, type AlertTypeV1, type ListV1 } from '@aegis/contracts';

/** The OpenAPI description of an alert (docs/alerts.md). */
export class AlertResource implements AlertResourceV1 {
  @ApiProperty({ enum: ['alert'] }) object!: 'alert';
  @ApiProperty({ example: 'alert_5f0c1e9a2b3d4c5e6f708192' }) id!: string;
  @ApiProperty({ enum: ALERT_TYPES }) type!: AlertTypeV1;
  @ApiProperty({
    example: 'payment_failed:6f1c0d3e-0000-4000-8000-000000000001',
    description: 'what raised it: one alert per cause',
  })
  cause_key!: string;
  @ApiProperty({ type: String, nullable: true, example: 'cust_abc123' })
  customer_id!: string | null;
  @ApiProperty({ description: 'one line for a person' }) summary!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'the rule’s facts (docs/alerts.md), e.g. a failed payment’s amount_cents, currency, failure_code and failure_reason',
  })
  data!: Readonly<Record<string, unknown>>;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the domain event that raised it (its envelope id); null when the gateway did',
  })
  source_event_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class AlertList implements ListV1<AlertResource> {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [AlertResource] }) data!: AlertResource[];
  @ApiProperty() has_more!: boolean;
}
