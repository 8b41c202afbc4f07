import type { ReplayRequestV1 } from '@aegis/contracts';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsOptional,
  Matches,
} from 'class-validator';

export const MAX_REPLAY_IDS = 1_000;

/**
 * Which stored events to publish again: `eventIds`, or `type` and/or a range
 * of Stripe's `created` time (`from` inclusive, `to` exclusive).
 */
export class ReplayRequestDto implements ReplayRequestV1 {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_REPLAY_IDS)
  @Matches(/^evt_\w+$/, {
    each: true,
    message: 'each of eventIds must be a Stripe event id (evt_…)',
  })
  eventIds?: string[];

  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)+$/, {
    message: 'type must be a Stripe event type, e.g. invoice.paid',
  })
  type?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Publish under new message ids, so consumers apply the events again. */
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
