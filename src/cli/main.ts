/**
 * The CLI's single exit point: parses argv, dispatches to a command, and maps what it throws to an
 * exit code, the one every BatchlabError carries: UsageError 2, AbortedError 130, EnvironmentError (a write the disk
 * refused among them) 1; InternalError and anything
 * untyped are bugs: exit 1, labelled "this is a bug in batchlab", the stack only with --debug.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { dirname } from 'node:path';
import { AbortedError, BatchlabError, EnvironmentError, EXIT, formatIssues, UsageError, refusedWriteError } from '../errors.ts';
import { CLI_ENTRY } from './cli-entry.ts';
import { runOptions, type RunArgs } from './command-options.ts';
import { registerLazyCommands } from './lazy-commands.ts';
import { describeMissingArguments, planMissingArguments } from './missing-arguments.ts';
import { processOutput, type Output } from './output.ts';

export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    io.err('interrupted: finishing the current step, flushing results (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let code: number = EXIT.ok;
  const debug = argv.includes('--debug');
  const run = async (fn: () => Promise<number>) => {
    code = await fn();
  };
  try {
    const parser = yargs(argv)
      .scriptName('batchlab')
      .usage('$0 <command> [options]\n\nBatch-size and learning-rate experiments in TensorFlow.js.')
      .option('debug', { type: 'boolean', describe: 'print stack traces of internal errors, and third-party native warnings (e.g. Dawn\'s) that doctor hides' })
      .command('run <spec>', 'train one configuration', (y) => runOptions(y), (a) =>
        run(async () => (await import('./commands/run.ts')).runCommand(a as unknown as RunArgs, io, controller.signal)))
      .command('doctor', 'check which tfjs backends work here and why not', (y) => y, () =>
        run(async () => (await import('./commands/doctor.ts')).doctorCommand(io, debug)));
    registerLazyCommands(parser, io, controller.signal, run);
    await parser
      .demandCommand(1, 'name a command (see --help)')
      .strict()
      .help()
      .alias('h', 'help')
      .version(false)
      .fail((msg, err) => {
        // yargs' own parse errors (YError, e.g. a flag without its value) are bad input too.
        if (err && err.name !== 'YError') throw err;
        const text = msg ?? err?.message ?? 'invalid arguments';
        const command = argv.find((a) => !a.startsWith('-')) ?? '';
        const missing = planMissingArguments(command, text, argv);
        throw new UsageError(missing ? describeMissingArguments(command, missing) : text);
      })
      .parseAsync();
  } catch (err) {
    code = handleError(err, io, debug);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  return code;
}

/** Prints what `err` says and returns its exit code (BatchlabError's own; anything untyped is a bug, exit 1). */
function handleError(thrown: unknown, io: Output, debug: boolean): number {
  let err = thrown;
  if (!(err instanceof BatchlabError)) {
    // A write the file system refused (read-only folder, full disk) that no command mapped itself.
    const path = (err as NodeJS.ErrnoException | null)?.path;
    err = refusedWriteError(err, typeof path === 'string' ? dirname(path) : 'the output folder') ?? err;
  }
  if (err instanceof AbortedError) {
    io.err(`interrupted: ${err.message}`);
    return err.exitCode;
  }
  // Bad input (exit 2, every issue by path) or the environment (exit 1): the message and its issues.
  if (err instanceof UsageError || err instanceof EnvironmentError) {
    io.err(`error: ${err.message}`);
    if (err.issues.length) io.err(formatIssues(err.issues));
    return err.exitCode;
  }
  // InternalError, or anything untyped (a TypeError, a tfjs assertion): either way a bug.
  io.err(`internal error: ${err instanceof Error ? err.message : String(err)}`);
  io.err('this is a bug in batchlab; please report it with the command that caused it');
  if (debug && err instanceof Error && err.stack) io.err(err.stack);
  else io.err('run again with --debug for the stack trace');
  return EXIT.failure;
}

const isEntry = process.argv[1] && CLI_ENTRY.test(process.argv[1]);
if (isEntry) {
  // `batchlab ... | head` closes stdout early: stop quietly, as other command-line tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const code = await main(hideBin(process.argv));
  process.exitCode = code;
  // tfjs backends may hold handles open; results are flushed by now.
  setImmediate(() => process.exit(code));
}
