/**
 * What each command requires, named in words: yargs' own refusals ("Not enough non-option
 * arguments: got 0, need at least 1", "Missing required argument: out") say neither which argument
 * is missing nor what it is. The same words describe the arguments in --help.
 */
import type { Issue } from '../errors.ts';

interface Required {
  /** The command's one required positional, as --help writes it (`<spec>`, `<dirs..>`). */
  positional: { name: string; what: string };
  /** Required options: flag name without dashes -> what it is. */
  options?: Record<string, string>;
}

export const REQUIRED_ARGUMENTS = {
  run: { positional: { name: '<spec>', what: 'the YAML or JSON spec to run' } },
  sweep: { positional: { name: '<spec>', what: 'the YAML or JSON spec with a sweep: section to run' } },
  merge: {
    positional: { name: '<dirs..>', what: 'the sweep output folders (shards) to combine' },
    options: { out: 'the folder to write the merged sweep into' },
  },
  compare: { positional: { name: '<inputs..>', what: 'results folders or summary.csv files to compare' } },
  report: { positional: { name: '<dir>', what: 'the sweep results folder to write a report for' } },
  verify: { positional: { name: '<dirs..>', what: 'sweep results folders (each with sweep.json and summary.csv) whose claims to evaluate' } },
} as const satisfies Record<string, Required>;

export type CommandWithRequired = keyof typeof REQUIRED_ARGUMENTS;

const NOT_ENOUGH = /^Not enough non-option arguments/;
const MISSING_OPTIONS = /^Missing required arguments?: (.+)$/;

/** True when an argv token gives option `flag` (`--out x` or `--out=x`). */
const gives = (argv: readonly string[], flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));

/**
 * The missing arguments of `command` behind a yargs refusal `message`, one issue per argument
 * (path `<spec>` or `--out`, message what it is); undefined when the message is about something else.
 * yargs reports a missing positional before missing options, so options are read from argv too.
 */
export function planMissingArguments(command: string, message: string, argv: readonly string[]): Issue[] | undefined {
  if (!(command in REQUIRED_ARGUMENTS)) return undefined;
  const req: Required = REQUIRED_ARGUMENTS[command as CommandWithRequired];
  const options = Object.entries(req.options ?? {});
  const optionMatch = MISSING_OPTIONS.exec(message);
  if (!NOT_ENOUGH.test(message) && !optionMatch) return undefined;
  const issues: Issue[] = [];
  if (NOT_ENOUGH.test(message)) issues.push({ path: req.positional.name, message: req.positional.what });
  for (const [flag, what] of options) if (!gives(argv, flag)) issues.push({ path: `--${flag}`, message: what });
  return issues.length ? issues : undefined;
}

/** One line naming every missing argument: `missing <spec>: the YAML ... (see batchlab run --help)`. */
export function describeMissingArguments(command: string, issues: readonly Issue[]): string {
  const help = `(see batchlab ${command} --help)`;
  if (issues.length === 1) return `missing ${issues[0].path}: ${issues[0].message} ${help}`;
  return `${issues.map((i) => `missing ${i.path}: ${i.message}`).join('; ')} ${help}`;
}
