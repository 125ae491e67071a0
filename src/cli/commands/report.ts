/** `batchlab report <results-dir>`: report.html plus charts/ (SVG and PNG). */
import { writeReport } from '../../report/write-report.ts';
import { EXIT } from '../../errors.ts';
import { renderFindingsText } from '../../report/findings/index.ts';
import type { ReportArgs } from '../command-options.ts';
import type { Output } from '../output.ts';

export async function reportCommand(args: ReportArgs, io: Output): Promise<number> {
  const r = await writeReport(args.dir, args.out);
  for (const s of r.skipped) io.err(`not drawn: ${s.chart}: ${s.why}`);
  for (const w of r.warnings) io.err(`warning: ${w}`);
  if (args.findings) io.out(renderFindingsText(r.findings, r.html));
  io.out(`report: ${r.html} (${r.charts.length} chart files under charts/)`);
  return EXIT.ok;
}
