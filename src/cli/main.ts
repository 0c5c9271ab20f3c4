#!/usr/bin/env node
// The crossrank command: picks the subcommand, runs it, and turns its outcome into an exit code.
import { CrossrankError, CrossrankRangeError, CrossrankTypeError } from '../errors';
import { type Command, parse, UsageError, withFlagNames } from './args';
import { benchCommand } from './bench';
import { evalCommand } from './eval';
import { infoCommand } from './info';
import { InputError } from './input';
import { EXIT_INTERRUPTED, isAbort, onInterrupt } from './interrupt';
import { rankCommand } from './rank';
import { scoreCommand } from './score';
import { serveCommand } from './serve';
import { optimizeCommand, quantizeCommand } from './transform';

/** Exit codes: 0 done, 1 runtime failure, 2 usage or input error, 130 interrupted (Ctrl-C). */
const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;

const COMMANDS: readonly Command[] = [scoreCommand, rankCommand, evalCommand, benchCommand, infoCommand, serveCommand, quantizeCommand, optimizeCommand];

const HELP = `Usage: crossrank <command> [options]

Cross-encoder reranking on ONNX models from the command line.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join('\n')}

Run \`crossrank <command> --help\` for a command's options.
Exit codes: 0 done, 1 runtime error, 2 usage or input error, 130 interrupted.`;

/** Errors caused by how crossrank was called or by the files it was given, rather than by running. */
function isUsageError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof InputError ||
    error instanceof CrossrankTypeError ||
    error instanceof CrossrankRangeError ||
    (error instanceof CrossrankError &&
      ['ERR_MODEL_NOT_FOUND', 'ERR_UNSUPPORTED', 'ERR_NOT_QUANTIZABLE', 'ERR_NOT_OPTIMIZABLE'].includes(error.code))
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`Unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  const values = parse(command, rest);
  if (values.help) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const interrupt = onInterrupt();
  try {
    return await command.run(values, interrupt.signal);
  } catch (error) {
    if (interrupt.signal.aborted && isAbort(error)) return EXIT_INTERRUPTED;
    throw error;
  } finally {
    interrupt.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof CrossrankError ? ` [${error.code}]` : '';
    process.stderr.write(`crossrank: ${withFlagNames(message)}${code}\n`);
    process.exitCode = isUsageError(error) ? EXIT_USAGE : EXIT_RUNTIME;
  },
);
