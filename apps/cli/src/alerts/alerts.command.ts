import {
  ALERT_TYPES,
  OPERATIONS_API_PATHS,
  type AlertListQueryV1,
  type AlertResourceV1,
  type AlertTypeV1,
  type ListV1,
} from '@aegis/contracts';
import { Option, type Command } from 'commander';
import { EXIT_OK } from '../cli-error.js';
import { nextPageHint, type CommandContext } from '../command-context.js';
import {
  jsonOption,
  listQueryOf,
  withListOptions,
  type JsonOption,
  type ListOptions,
} from '../options/option-parsers.js';
import { formatAlertTable } from './alerts-output.js';

export interface AlertsCommand {
  readonly kind: 'alerts';
  readonly query: AlertListQueryV1;
  readonly json: boolean;
}

interface AlertsOptions extends ListOptions, JsonOption {
  readonly type?: AlertTypeV1;
}

/** `aegis alerts [--type]`; the command line read goes to `parsed`. */
export function defineAlertsCommands(
  program: Command,
  parsed: (command: AlertsCommand) => void,
): void {
  withListOptions(
    program
      .command('alerts')
      .description(
        'alerts, newest first: failed payments, cancellations, high-value transactions, disputes and their deadlines, disabled webhook endpoints (admin key)',
      ),
  )
    .addOption(new Option('--type <type>', 'only alerts of this rule').choices(ALERT_TYPES))
    .addOption(jsonOption())
    .action((options: AlertsOptions) => {
      parsed({
        kind: 'alerts',
        query: {
          ...(options.type === undefined ? {} : { type: options.type }),
          ...listQueryOf(options),
        },
        json: options.json === true,
      });
    });
}

export async function runAlertsCommand(
  command: AlertsCommand,
  { client, printer }: CommandContext,
): Promise<number> {
  const { body } = await client.get<ListV1<AlertResourceV1>>(OPERATIONS_API_PATHS.alerts, {
    ...command.query,
  });
  const type = command.query.type === undefined ? '' : ` --type ${command.query.type}`;
  printer.answer(body, [
    ...formatAlertTable(body),
    ...nextPageHint(`aegis alerts${type}`, command.query, body),
  ]);
  return EXIT_OK;
}
