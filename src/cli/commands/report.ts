/** `batchlab report <results-dir>`: report.html plus charts/ (SVG and PNG). */
import type { Argv } from 'yargs';
import { writeReport } from '../../results/write-report.ts';
import { EXIT } from '../../errors.ts';
import type { Output } from '../output.ts';

export interface ReportArgs { dir: string; out?: string }

export function reportOptions<T>(y: Argv<T>) {
  return y
    .positional('dir', { type: 'string', demandOption: true, describe: 'a sweep results directory' })
    .option('out', { type: 'string', describe: 'HTML file to write (default <dir>/report.html)' });
}

export async function reportCommand(args: ReportArgs, io: Output): Promise<number> {
  const r = await writeReport(args.dir, args.out);
  for (const s of r.skipped) io.err(`not drawn: ${s.chart}: ${s.why}`);
  for (const w of r.warnings) io.err(`warning: ${w}`);
  io.out(`report: ${r.html} (${r.charts.length} chart files under charts/)`);
  return EXIT.ok;
}
