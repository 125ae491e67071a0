/**
 * Tooltip text for chart marks. Each data mark gets a `tip` field, mapped to Vega-Lite's
 * `description` channel; vega writes it as the mark's aria-label, and addSvgTooltips turns that
 * into an SVG <title>, which browsers show on hover with no script or network. Pure.
 */
import type { RunResult, RunSummary } from '../../results/read-results.ts';
import type { ConfigGroup } from '../sweep-view.ts';
import { fmtSig } from '../../core/format-number.ts';

/** The `description` encoding every tooltip-carrying layer uses. */
export const TIP = { field: 'tip', type: 'nominal' } as const;

/** One line per run: "run <id> · seed <s> · <value or status>". */
export function runLines(runs: readonly RunResult[], valueName: string, get: (s: RunSummary) => number): string[] {
  return [...runs]
    .sort((a, b) => a.summary.seed - b.summary.seed)
    .map((r) => {
      const s = r.summary;
      const v = get(s);
      const value = s.status === 'completed' ? `${valueName} ${Number.isFinite(v) ? fmtSig(v) : '—'}` : s.status;
      return `run ${s.runId} · seed ${s.seed} · ${value}`;
    });
}

/** A configuration's tooltip: rule/panel, batch size, base and applied LR, then its runs. */
export function configTip(g: ConfigGroup, valueName: string, get: (s: RunSummary) => number, headline?: string): string {
  return [
    `${g.panel} · batch size ${g.batchSize} · base LR ${fmtSig(g.baseLr)} · LR ${fmtSig(g.lr)}`,
    ...(headline ? [headline] : []),
    ...runLines(g.runs, valueName, get),
  ].join('\n');
}
