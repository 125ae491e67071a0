/** `batchlab doctor`'s table: one line per backend, hints indented below; pure. */
import type { BackendProbe } from './names.ts';

/**
 * Columns: name, usable (yes/no), device ("-" when none), reason. Each hint goes on its own
 * line(s) below its backend, indented, so the table stays readable in a terminal.
 */
export function renderDoctor(probes: BackendProbe[]): string {
  const devices = probes.map((p) => (p.device === '' ? '-' : p.device));
  const nameWidth = Math.max(0, ...probes.map((p) => p.name.length));
  const deviceWidth = Math.max(0, ...devices.map((d) => d.length));
  const lines: string[] = [];
  probes.forEach((p, i) => {
    const usable = p.usable ? 'yes' : 'no ';
    lines.push(`${p.name.padEnd(nameWidth)}  ${usable}  ${devices[i]!.padEnd(deviceWidth)}  ${p.reason}`.trimEnd());
    if (p.hint) for (const line of p.hint.split('\n')) lines.push(`    hint: ${line}`.trimEnd());
  });
  return lines.join('\n');
}
