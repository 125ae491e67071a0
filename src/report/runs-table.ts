/**
 * The report's runs table: one row per run, sortable by clicking a column header and filtered by a
 * text box, a status and a batch size. The table is plain HTML (it reads without script); a small
 * inline script, no library or network, adds the controls. Pure: renders strings.
 *
 * The script's sorting and filtering are pure functions written in RUNS_TABLE_LOGIC, the same text
 * the page inlines and the tests evaluate.
 */
import type { RunResult } from '../results/read-results.ts';
import { fmtSig } from '../core/format-number.ts';
import { escapeHtml } from './escape-html.ts';

const num = (x: number, digits = 4) => (Number.isFinite(x) ? fmtSig(x, digits) : '');

interface Column {
  title: string;
  /** Text columns sort as text; the others by the number in `key`. */
  text?: boolean;
  get: (r: RunResult) => string;
  /** The value a numeric column sorts by (full precision; NaN sorts last). */
  key?: (r: RunResult) => number;
}

function columnsOf(axes: string[]): Column[] {
  const s = (f: (r: RunResult['summary']) => number, digits?: number): Pick<Column, 'get' | 'key'> => ({
    get: (r) => num(f(r.summary), digits), key: (r) => f(r.summary),
  });
  return [
    { title: 'run_id', text: true, get: (r) => r.summary.runId },
    { title: 'status', text: true, get: (r) => r.summary.status },
    { title: 'scaling_rule', text: true, get: (r) => r.summary.scalingRule },
    ...axes.map((a) => ({ title: a, text: true, get: (r: RunResult) => r.summary.axes[a] ?? '' })),
    { title: 'batch_size', ...s((x) => x.batchSize) },
    { title: 'base_lr', ...s((x) => x.baseLr) },
    { title: 'lr (applied)', ...s((x) => x.lr) },
    { title: 'seed', ...s((x) => x.seed, 12) },
    { title: 'steps', ...s((x) => x.steps, 12) },
    { title: 'epochs', ...s((x) => x.epochs) },
    { title: 'train loss', ...s((x) => x.finalTrainLoss) },
    { title: 'test loss', ...s((x) => x.finalTestLoss) },
    { title: 'train acc', ...s((x) => x.finalTrainAcc) },
    { title: 'test acc', ...s((x) => x.finalTestAcc) },
    { title: 'best test acc', ...s((x) => x.bestTestAcc) },
    { title: 'wall_s', ...s((x) => x.wallS, 3) },
    { title: 'samples/s', ...s((x) => x.samplesPerS, 4) },
    { title: 'note', text: true, get: (r) => r.error ?? (typeof r.record?.reason === 'string' ? r.record.reason : '') },
  ];
}

/** A numeric sort key as an attribute value: the number, or '' for none (sorted last). */
const sortAttr = (x: number) => (Number.isFinite(x) ? String(x) : '');

/**
 * The runs table (rows in the given order) with its filter controls, hidden until the script shows
 * them. Each header has a sort button; each row carries its status and batch size for the filters,
 * and each numeric cell its full-precision value for sorting.
 */
export function renderRunsTable(runs: readonly RunResult[], axes: string[]): string {
  const cols = columnsOf(axes);
  const head = cols.map((c, i) =>
    `<th${c.text ? ' class="text"' : ''} data-type="${c.text ? 'text' : 'num'}" aria-sort="none"><button type="button" data-sort-col="${i}">${escapeHtml(c.title)}</button></th>`).join('');
  const body = runs
    .map((r) => `<tr class="status-${escapeHtml(r.summary.status)}" data-status="${escapeHtml(r.summary.status)}" data-batch-size="${escapeHtml(String(r.summary.batchSize))}">${cols
      .map((c) => `<td class="${c.text ? 'text' : ''}${c.title === 'status' ? ' status' : ''}"${c.key ? ` data-sort="${sortAttr(c.key(r))}"` : ''}>${escapeHtml(c.get(r))}</td>`)
      .join('')}</tr>`)
    .join('\n');
  const statuses = [...new Set(runs.map((r) => r.summary.status))].sort();
  const batchSizes = [...new Set(runs.map((r) => r.summary.batchSize))].filter(Number.isFinite).sort((a, b) => a - b);
  const option = (v: string, label = v) => `<option value="${escapeHtml(v)}">${escapeHtml(label)}</option>`;
  const controls = `<div class="runs-controls" data-runs-controls hidden>
<label>Filter <input type="search" data-filter="text" placeholder="any text: run id, rule, note…"></label>
<label>Status <select data-filter="status">${option('', 'all')}${statuses.map((s) => option(s)).join('')}</select></label>
<label>Batch size <select data-filter="batch">${option('', 'all')}${batchSizes.map((b) => option(String(b))).join('')}</select></label>
<button type="button" data-filter="clear">Clear</button>
<span data-runs-count aria-live="polite">${runs.length} of ${runs.length} runs shown</span></div>`;
  return `${controls}
<div class="runs-wrap"><table data-table="runs"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export const RUNS_TABLE_CSS = `
.runs-controls{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin:.5rem 0;font-size:.9rem}
.runs-controls[hidden]{display:none}
th button{all:inherit;cursor:pointer;border:0;padding:0;background:none}th button:hover{text-decoration:underline}
th[aria-sort=ascending] button::after{content:' \\25B2'}th[aria-sort=descending] button::after{content:' \\25BC'}
`;

/**
 * The pure part of the script, as the page inlines it (plain JavaScript, no DOM):
 * - compareKeys(a, b, type): order of two cells' sort keys; 'num' compares numbers with empty
 *   (no value) last, 'text' compares case-insensitively with numbers inside in numeric order.
 * - sortOrder(keys, type, dir): row indices sorted by `keys` ('asc' or 'desc', empty last both
 *   ways), ties kept in their current order.
 * - rowMatches(row, filter): whether a row ({ text, status, batch }) passes the filter
 *   ({ text, status, batch }; '' matches all): every word of filter.text must appear in row.text,
 *   case-insensitively.
 */
export const RUNS_TABLE_LOGIC = `
function compareKeys(a, b, type) {
  if (type === 'num') {
    var x = a === '' ? NaN : Number(a), y = b === '' ? NaN : Number(b);
    if (isNaN(x) || isNaN(y)) return isNaN(x) === isNaN(y) ? 0 : isNaN(x) ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}
function sortOrder(keys, type, dir) {
  var idx = keys.map(function (_, i) { return i; });
  return idx.sort(function (i, j) {
    var a = keys[i], b = keys[j];
    var emptyA = type === 'num' ? a === '' || isNaN(Number(a)) : a === '';
    var emptyB = type === 'num' ? b === '' || isNaN(Number(b)) : b === '';
    if (emptyA !== emptyB) return emptyA ? 1 : -1;
    var c = compareKeys(a, b, type);
    return (dir === 'desc' ? -c : c) || i - j;
  });
}
function rowMatches(row, filter) {
  if (filter.status && row.status !== filter.status) return false;
  if (filter.batch && row.batch !== filter.batch) return false;
  var text = row.text.toLowerCase();
  return filter.text.toLowerCase().split(/\\s+/).every(function (w) { return w === '' || text.indexOf(w) >= 0; });
}
`;

/** The DOM side: wires the header buttons and the filter controls of every runs table to the pure functions. */
const RUNS_TABLE_DOM = `
document.querySelectorAll('table[data-table="runs"]').forEach(function (table) {
  var section = table.closest('section') || document;
  var controls = section.querySelector('[data-runs-controls]');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var count = controls && controls.querySelector('[data-runs-count]');
  var field = function (name) { return controls ? controls.querySelector('[data-filter="' + name + '"]') : null; };
  function applyFilter() {
    var filter = { text: field('text') ? field('text').value : '', status: field('status') ? field('status').value : '', batch: field('batch') ? field('batch').value : '' };
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = rowMatches({ text: tr.textContent, status: tr.getAttribute('data-status'), batch: tr.getAttribute('data-batch-size') }, filter);
      tr.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + ' of ' + rows.length + ' runs shown';
  }
  table.querySelectorAll('th button[data-sort-col]').forEach(function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode;
      var col = Number(button.getAttribute('data-sort-col'));
      var type = th.getAttribute('data-type');
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      table.querySelectorAll('th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
      var current = Array.prototype.slice.call(tbody.rows);
      var keys = current.map(function (tr) { var td = tr.cells[col]; return td.hasAttribute('data-sort') ? td.getAttribute('data-sort') : td.textContent; });
      sortOrder(keys, type, dir).forEach(function (i) { tbody.appendChild(current[i]); });
    });
  });
  if (controls) {
    ['text', 'status', 'batch'].forEach(function (name) { field(name).addEventListener('input', applyFilter); field(name).addEventListener('change', applyFilter); });
    field('clear').addEventListener('click', function () { field('text').value = ''; field('status').value = ''; field('batch').value = ''; applyFilter(); });
    controls.hidden = false;
  }
});
`;

/** The runs table's inline script: the pure functions, then the DOM wiring. */
export const RUNS_TABLE_SCRIPT = RUNS_TABLE_LOGIC + RUNS_TABLE_DOM;
