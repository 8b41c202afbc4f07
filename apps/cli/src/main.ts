import { runCli } from './cli.js';
import { processEnvironment } from './process-environment.js';

process.exitCode = await runCli(process.argv.slice(2), processEnvironment(), {
  progressStream: process.stderr,
});
