import { ServiceEnv, portProperty } from '@aegis/config';
import { IsInt, Max, Min } from 'class-validator';

export class MeteringEnv extends ServiceEnv {
  @portProperty()
  PORT: number = 3002;

  /** How far back `POST /api/v1/usage` may date an event, in days. */
  @IsInt()
  @Min(1)
  @Max(3660)
  METERING_BACKDATE_HORIZON_DAYS: number = 35;
}
