import { portProperty } from '@aegis/config';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { StripeServiceEnv } from '@aegis/stripe';

export class DisputesEnv extends StripeServiceEnv {
  @portProperty()
  PORT: number = 3005;

  /** `dispute.deadline_approaching.v1` fires once evidence is due within this many hours and none was submitted. */
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  DISPUTE_DEADLINE_WINDOW_HOURS: number = 72;

  /** How often the sweep looks for deadlines, unlinked disputes and undecided fraud warnings. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DISPUTE_SWEEP_INTERVAL_MS: number = 60_000;

  /**
   * Early fraud warnings on charges at or below this amount (minor units) are
   * refunded at once, to avoid the dispute and its fee. Unset: never.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  EFW_AUTO_REFUND_MAX_CENTS?: number;

  /** The refund policy put in an evidence draft's `refund_policy_disclosure`. */
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  DISPUTE_REFUND_POLICY_TEXT?: string;
}
