import {
  DISPUTE_STATUSES,
  DISPUTE_TEXT_EVIDENCE_FIELDS,
  PUBLIC_API_PATHS,
  type DisputeDetailResourceV1,
  type DisputeEvidenceFieldV1,
  type DisputeListQueryV1,
  type DisputeResourceV1,
  type DisputeStatusV1,
  type FraudWarningListQueryV1,
  type FraudWarningResourceV1,
  type ListV1,
} from '@aegis/contracts';
import { Option, type Command } from 'commander';
import { CliError, EXIT_OK, EXIT_USAGE } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  idempotencyKeyOption,
  idempotencyOf,
  jsonOption,
  listQueryOf,
  withListOptions,
  type IdempotencyKeyOption,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import {
  formatAccepted,
  formatDispute,
  formatDisputeList,
  formatEvidenceAnswer,
  formatFraudWarningList,
} from './disputes-output.js';

/** Evidence and accept wait on the disputes service's calls to Stripe; the gateway allows them 20 s. */
const DISPUTE_TIMEOUT_MS = 30_000;

/** Some evidence fields, by field name. */
export type EvidenceFields = Readonly<Partial<Record<DisputeEvidenceFieldV1, string>>>;

export type DisputesCommand =
  | { readonly kind: 'disputes.list'; readonly query: DisputeListQueryV1; readonly json: boolean }
  | { readonly kind: 'disputes.show'; readonly disputeId: string; readonly json: boolean }
  | {
      readonly kind: 'disputes.evidence';
      readonly disputeId: string;
      /** Start from the dispute's evidence draft (its fields that hold text). */
      readonly fromDraft: boolean;
      /** A JSON file of fields, over the draft. */
      readonly evidenceFile?: string;
      /** The fields given as options, over the file's. */
      readonly fields: EvidenceFields;
      readonly submit: boolean;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'disputes.accept';
      readonly disputeId: string;
      readonly idempotencyKey?: string;
      readonly json: boolean;
    }
  | {
      readonly kind: 'fraud-warnings.list';
      readonly query: FraudWarningListQueryV1;
      readonly json: boolean;
    };

/** `uncategorized_text` is `--uncategorized-text`, read by commander as `uncategorizedText`. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type EvidenceFieldOptions = {
  readonly [Field in DisputeEvidenceFieldV1 as CamelCase<Field>]?: string;
};

interface EvidenceOptions extends EvidenceFieldOptions, JsonOption, IdempotencyKeyOption {
  readonly fromDraft?: true;
  readonly evidenceFile?: string;
  readonly submit?: true;
}

interface ListDisputesOptions extends ListOptions, JsonOption {
  readonly status?: DisputeStatusV1;
  readonly customer?: string;
}

interface ListWarningsOptions extends ListOptions, JsonOption {
  readonly customer?: string;
}

function flagOf(field: DisputeEvidenceFieldV1): string {
  return `--${field.replaceAll('_', '-')}`;
}

function camelCaseOf<Field extends DisputeEvidenceFieldV1>(field: Field): CamelCase<Field> {
  return field.replace(/_([a-z])/g, (_, letter: string) =>
    letter.toUpperCase(),
  ) as CamelCase<Field>;
}

function listCommandOf(query: DisputeListQueryV1): string {
  return [
    'aegis disputes list',
    ...(query.status === undefined ? [] : [`--status ${query.status}`]),
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
  ].join(' ');
}

function warningsCommandOf(query: FraudWarningListQueryV1): string {
  return [
    'aegis fraud-warnings list',
    ...(query.customer_id === undefined ? [] : [`--customer ${query.customer_id}`]),
  ].join(' ');
}

/** `aegis disputes list|show|evidence|accept` and `aegis fraud-warnings list`; each command line read goes to `parsed`. */
export function defineDisputesCommands(
  program: Command,
  parsed: (command: DisputesCommand) => void,
): void {
  const disputes = program
    .command('disputes')
    .description(
      'disputes of charges (chargebacks), mirrored from Stripe: list, show with the evidence draft, send evidence, accept (admin key)',
    );

  withListOptions(disputes.command('list').description('the disputes, newest first'))
    .addOption(
      new Option('--status <status>', 'only disputes in this status').choices(DISPUTE_STATUSES),
    )
    .option('--customer <customer_id>', 'only this customer’s')
    .addOption(jsonOption())
    .action((options: ListDisputesOptions) => {
      parsed({
        kind: 'disputes.list',
        query: {
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });

  disputes
    .command('show')
    .description(
      'one dispute: status, amounts, deadline, history, the disputed transaction, the evidence Stripe holds and the evidence draft',
    )
    .argument('<dispute_id>')
    .addOption(jsonOption())
    .action((disputeId: string, options: JsonOption) => {
      parsed({ kind: 'disputes.show', disputeId, json: options.json === true });
    });

  const evidence = disputes
    .command('evidence')
    .summary('send evidence to Stripe: saved, or submitted to the bank with --submit')
    .description(
      [
        'send text evidence to Stripe. The fields, lowest first: the dispute’s evidence draft (--from-draft),',
        'a JSON file of Stripe’s field names (--evidence-file, e.g. {"product_description": "…"}), then one',
        'option per field (--uncategorized-text, --product-description, …). Without --submit the evidence is',
        'only saved at Stripe; --submit sends everything Stripe holds to the bank: final, Stripe takes one',
        'submission. A field left out keeps what Stripe holds.',
      ].join(' '),
    )
    .argument('<dispute_id>')
    .option('--from-draft', 'start from the dispute’s evidence draft (see aegis disputes show)')
    .option('--evidence-file <path.json>', 'a JSON object of evidence fields by Stripe’s names')
    .option('--submit', 'submit the evidence to the bank now (final)');
  for (const field of DISPUTE_TEXT_EVIDENCE_FIELDS)
    evidence.option(`${flagOf(field)} <text>`, `evidence[${field}]`);
  evidence
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((disputeId: string, options: EvidenceOptions) => {
      const fields: EvidenceFields = Object.fromEntries(
        DISPUTE_TEXT_EVIDENCE_FIELDS.flatMap((field) => {
          const value = options[camelCaseOf(field)];
          return value === undefined ? [] : [[field, value]];
        }),
      );
      if (
        Object.keys(fields).length === 0 &&
        options.fromDraft !== true &&
        options.evidenceFile === undefined &&
        options.submit !== true
      )
        evidence.error(
          'error: give evidence (--from-draft, --evidence-file or a field option such as --uncategorized-text), or --submit',
          { exitCode: EXIT_USAGE },
        );
      parsed({
        kind: 'disputes.evidence',
        disputeId,
        fromDraft: options.fromDraft === true,
        ...(options.evidenceFile === undefined ? {} : { evidenceFile: options.evidenceFile }),
        fields,
        submit: options.submit === true,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  disputes
    .command('accept')
    .description(
      'concede the dispute at Stripe: it ends lost (the amount and the fee are not given back)',
    )
    .argument('<dispute_id>')
    .addOption(idempotencyKeyOption())
    .addOption(jsonOption())
    .action((disputeId: string, options: JsonOption & IdempotencyKeyOption) => {
      parsed({
        kind: 'disputes.accept',
        disputeId,
        ...idempotencyOf(options),
        json: options.json === true,
      });
    });

  const warnings = program
    .command('fraud-warnings')
    .description('early fraud warnings (Stripe Radar) and what was decided: refunded, kept, …');

  withListOptions(
    warnings
      .command('list')
      .description('the early fraud warnings, newest first, with their decisions'),
  )
    .option('--customer <customer_id>', 'only this customer’s')
    .addOption(jsonOption())
    .action((options: ListWarningsOptions) => {
      parsed({
        kind: 'fraud-warnings.list',
        query: {
          ...(options.customer === undefined ? {} : { customer_id: options.customer }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });
}

/** The fields of an `--evidence-file`: a JSON object of text by field name (the gateway checks the names). */
export function evidenceOfFile(text: string): Readonly<Record<string, unknown>> | string {
  let parsedFile: unknown;
  try {
    parsedFile = JSON.parse(text);
  } catch (error) {
    return `it is not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (typeof parsedFile !== 'object' || parsedFile === null || Array.isArray(parsedFile))
    return 'it must hold a JSON object of evidence fields, e.g. {"uncategorized_text": "…"}';
  if ('submit' in parsedFile) return 'submit is not evidence: use --submit';
  return parsedFile as Record<string, unknown>;
}

/** The draft's fields that hold text. */
function draftFieldsOf(dispute: DisputeDetailResourceV1): EvidenceFields {
  return Object.fromEntries(
    DISPUTE_TEXT_EVIDENCE_FIELDS.flatMap((field) => {
      const text = dispute.evidence_draft[field];
      return text === null || text === '' ? [] : [[field, text]];
    }),
  );
}

async function evidenceBodyOf(
  command: Extract<DisputesCommand, { kind: 'disputes.evidence' }>,
  { client, readFile }: CommandContext,
): Promise<Readonly<Record<string, unknown>>> {
  const draft = command.fromDraft
    ? draftFieldsOf(
        (await client.get<DisputeDetailResourceV1>(PUBLIC_API_PATHS.dispute(command.disputeId)))
          .body,
      )
    : {};
  let fromFile: Readonly<Record<string, unknown>> = {};
  if (command.evidenceFile !== undefined) {
    const text = readFile(command.evidenceFile);
    if (text === undefined)
      throw new CliError(`cannot read ${command.evidenceFile}: no such file`, EXIT_USAGE);
    const read = evidenceOfFile(text);
    if (typeof read === 'string')
      throw new CliError(`${command.evidenceFile}: ${read}`, EXIT_USAGE);
    fromFile = read;
  }
  // A SubmitDisputeEvidenceBodyV1, but for what the file holds: it goes as it is, and the
  // gateway names any field or value it refuses.
  return { ...draft, ...fromFile, ...command.fields, submit: command.submit };
}

export async function runDisputesCommand(
  command: DisputesCommand,
  context: CommandContext,
): Promise<number> {
  const { client, printer } = context;
  switch (command.kind) {
    case 'disputes.list': {
      const { body } = await client.get<ListV1<DisputeResourceV1>>(
        PUBLIC_API_PATHS.disputes,
        command.query,
      );
      printer.answer(body, [
        ...formatDisputeList(body),
        ...nextPageHint(listCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
    case 'disputes.show': {
      const { body } = await client.get<DisputeDetailResourceV1>(
        PUBLIC_API_PATHS.dispute(command.disputeId),
      );
      printer.answer(body, formatDispute(body));
      return EXIT_OK;
    }
    case 'disputes.evidence': {
      const evidence = await evidenceBodyOf(command, context);
      const { body } = await client.post<DisputeDetailResourceV1>(
        PUBLIC_API_PATHS.disputeEvidence(command.disputeId),
        evidence,
        { ...idempotencyOf(command), timeoutMs: DISPUTE_TIMEOUT_MS },
      );
      const sent = Object.keys(evidence).filter((field) => field !== 'submit');
      printer.answer(body, formatEvidenceAnswer(body, sent, command.submit));
      return EXIT_OK;
    }
    case 'disputes.accept': {
      const { body } = await client.post<DisputeDetailResourceV1>(
        PUBLIC_API_PATHS.disputeAccept(command.disputeId),
        undefined,
        { ...idempotencyOf(command), timeoutMs: DISPUTE_TIMEOUT_MS },
      );
      printer.answer(body, formatAccepted(body));
      return EXIT_OK;
    }
    case 'fraud-warnings.list': {
      const { body } = await client.get<ListV1<FraudWarningResourceV1>>(
        PUBLIC_API_PATHS.fraudWarnings,
        command.query,
      );
      printer.answer(body, [
        ...formatFraudWarningList(body),
        ...nextPageHint(warningsCommandOf(command.query), command.query, body),
      ]);
      return EXIT_OK;
    }
  }
}
