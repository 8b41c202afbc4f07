import { ApiProperty } from '@nestjs/swagger';
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_EVERY_EVENT,
  type CreateWebhookEndpointBodyV1,
} from '@aegis/contracts';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
} from 'class-validator';
import { ListQueryDto } from '../http/list.js';

const SUBSCRIBABLE = [WEBHOOK_EVERY_EVENT, ...WEBHOOK_EVENT_TYPES];

export class CreateWebhookEndpointDto implements CreateWebhookEndpointBodyV1 {
  @ApiProperty({
    example: 'https://ops.example.com/aegis-webhooks',
    description:
      'http(s); refused (400) when its host resolves to a private, loopback or link-local address, unless WEBHOOK_ALLOW_PRIVATE_URLS=true',
  })
  @IsString()
  @MaxLength(2_048)
  url!: string;

  @ApiProperty({
    type: [String],
    enum: SUBSCRIBABLE,
    example: ['alert.payment_failed', 'billing.transaction.updated.v1'],
    description: 'exact event types, or `*` for every one',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE.length)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE, {
    each: true,
    message: `each event must be * or one of ${SUBSCRIBABLE.join(', ')}`,
  })
  events!: string[];
}

/** `?limit&starting_after&ending_before` of the endpoint and delivery lists. */
export class WebhookListQueryDto extends ListQueryDto {}
