import { IsUUID } from 'class-validator';

export class BackfillRunParams {
  @IsUUID()
  runId!: string;
}
