import type { StartBackfillRequestV1 } from '@aegis/contracts';
import { IsISO8601, IsOptional } from 'class-validator';

export class StartBackfillDto implements StartBackfillRequestV1 {
  /**
   * List Stripe's events created at or after this time instead of since the
   * newest stored event; starts a new run rather than resuming a failed one.
   */
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}
