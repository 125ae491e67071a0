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
    return { svg: await view.toSVG(), warnings };
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
