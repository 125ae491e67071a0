/**
 * Vega-Lite spec -> SVG string, headless: vega's 'none' renderer builds the scenegraph in Node
 * and serialises it, so no browser or canvas is needed. Warnings are collected, not printed.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, undefined, (_method, level, input) => {
    warnings.push(`${level}: ${(input as unknown[]).map(String).join(' ')}`);
  });
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    return { svg: addSvgTooltips(await view.toSVG()), warnings };
  } finally {
    view.finalize();
  }
}

/**
 * Prefixes every id (and its url(#...) / href references) so several SVGs can share one HTML
 * page: vega numbers clip paths and gradients from 1 in each SVG, and ids are page-global.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

const unescapeAttr = (s: string) => s
  .replace(/&#x([0-9a-fA-F]+);/g, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#([0-9]+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
  .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Gives every data mark (role="graphics-symbol" with an aria-label, which vega writes from the
 * Vega-Lite `description` channel) a <title> child with the same text: the browser's native
 * tooltip, in the HTML and in the standalone SVG files alike. Axes and legends are untouched.
 */
export function addSvgTooltips(svg: string): string {
  return svg.replace(/<([a-zA-Z]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g, (whole, tag: string, attrs: string, selfClosing: string) => {
    // Axes and legends are <g> groups with the same role; data mark items are paths, text, images.
    if (tag === 'g' || !/\srole="graphics-symbol"/.test(attrs)) return whole;
    const label = /\saria-label="([^"]*)"/.exec(attrs);
    if (!label) return whole;
    const title = `<title>${escapeText(unescapeAttr(label[1]!))}</title>`;
    return selfClosing ? `<${tag}${attrs}>${title}</${tag}>` : `<${tag}${attrs}>${title}`;
  });
}
