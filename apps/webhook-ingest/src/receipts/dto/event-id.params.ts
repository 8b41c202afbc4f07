import { Matches } from 'class-validator';

export class EventIdParams {
  @Matches(/^evt_\w+$/, { message: 'eventId must be a Stripe event id (evt_…)' })
  eventId!: string;
}
