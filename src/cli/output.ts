/** The CLI's only channel to the terminal; commands print through it so tests can capture output. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  isTty: boolean;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTty: Boolean(process.stdout.isTTY),
};
