import { IsOptional, Matches } from 'class-validator';

/** The CLI's own settings, from the environment. */
export class CliEnv {
  /** Where webhook-ingest listens. */
  @Matches(/^https?:\/\/[^\s/]+\/?$/, { message: 'must be an http(s):// URL without a path' })
  INGEST_URL: string = 'http://127.0.0.1:3001';

  /** webhook-ingest's admin token (its INGEST_ADMIN_TOKEN). */
  @IsOptional()
  @Matches(/^\S+$/, { message: 'must not contain white space' })
  INGEST_ADMIN_TOKEN?: string;
}
