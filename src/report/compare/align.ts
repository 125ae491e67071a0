/**
 * Alignment of compare inputs: which columns identify a configuration, and how inputs with
 * different column sets are made comparable. Pure.
 */
import { axisColumnsOf } from '../../results/columns.ts';
import { compareKeyValues } from '../../core/aggregate.ts';
import type { AlignedInputs, CompareInput, IgnoredColumn } from './types.ts';

/** Columns that identify a configuration: runs differing in any of these are not seeds of one cell. */
export function configColumns(columns: readonly string[]): string[] {
  const fixed = ['batch_size', 'base_lr', 'lr', 'scaling_rule', 'backend'];
  return [...fixed, ...axisColumnsOf(columns)];
}

/**
 * Columns that name a design choice (not a measurement): the fixed ones plus every column a
 * summary has that batchlab does not write itself (sweep axes such as model.norm, and arm).
 */
export function presentConfigColumns(columns: readonly string[]): string[] {
  return configColumns(columns).filter((c) => columns.includes(c));
}

/**
 * Makes inputs with different column sets comparable on the design columns they all have. A
 * design column missing from some input is ignored; where it varies inside an input that has it,
 * that input is split into one input per value (label `A[arm=x]`), so runs of different designs
 * are never pooled as seeds. Inputs with the same columns come back unchanged.
 */
export function alignInputs(inputs: readonly CompareInput[]): AlignedInputs {
  const columnsOf = (i: CompareInput) => (i.rows.length ? Object.keys(i.rows[0]!.values) : []);
  const labels = uniqueLabels(inputs.map((i) => i.label));
  const design = inputs.map((i) => presentConfigColumns(columnsOf(i)));
  const common = design.length ? design[0]!.filter((c) => design.every((d) => d.includes(c))) : [];
  const extra = [...new Set(design.flat())].filter((c) => !common.includes(c));
  const ignored: IgnoredColumn[] = extra.map((column) => ({
    column,
    presentIn: labels.filter((_, i) => design[i]!.includes(column)),
    missingFrom: labels.filter((_, i) => !design[i]!.includes(column)),
    split: {},
  }));
  const out: CompareInput[] = [];
  inputs.forEach((input, i) => {
    // Split by every ignored column that varies inside this input, in column order.
    let parts: CompareInput[] = [{ ...input, label: labels[i]! }];
    for (const ig of ignored) {
      if (!design[i]!.includes(ig.column)) continue;
      const next: CompareInput[] = [];
      for (const part of parts) {
        const values = [...new Set(part.rows.map((r) => r.values[ig.column] ?? ''))].sort(compareKeyValues);
        if (values.length < 2) { next.push(part); continue; }
        for (const v of values) next.push({ ...part, label: `${part.label}[${ig.column}=${v}]`, rows: part.rows.filter((r) => (r.values[ig.column] ?? '') === v) });
      }
      if (next.length > parts.length) ig.split[labels[i]!] = next.map((p) => p.label);
      parts = next;
    }
    out.push(...parts);
  });
  return { inputs: out, common, ignored };
}

/** One sentence per ignored column, for the table output and stderr. */
export function describeIgnored(ignored: readonly IgnoredColumn[]): string[] {
  return ignored.map((ig) => {
    const splits = Object.entries(ig.split).map(([label, parts]) => `; ${label} split by it into ${parts.join(', ')}`).join('');
    return `ignored column ${ig.column}: only in ${ig.presentIn.join(', ')} (not in ${ig.missingFrom.join(', ')})${splits}`;
  });
}

/** Labels must tell inputs apart: repeated ones get #2, #3, ... */
export function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n > 1 ? `${l}#${n}` : l;
  });
}
