/**
 * SVG string -> PNG bytes with resvg (a native binary shipped in the npm package). resvg draws
 * text only with fonts it can load; with none, the PNG has every mark but no text.
 */
import { Resvg } from '@resvg/resvg-js';

export interface PngFonts {
  /** Font files to load (e.g. DejaVu from the Debian package fonts-dejavu-core). */
  fontFiles: string[];
  /** Family that generic 'sans-serif' maps to; must be one of the loaded fonts. */
  sansSerifFamily?: string;
  /** Also scan the system font folders (slower; default true). */
  loadSystemFonts?: boolean;
}

/** Rasterises at `scale` x the SVG's size (2 = sharp on high-density screens), white background. */
export function renderPng(svg: string, fonts: PngFonts, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: fonts.fontFiles,
      loadSystemFonts: fonts.loadSystemFonts ?? true,
      ...(fonts.sansSerifFamily ? { sansSerifFamily: fonts.sansSerifFamily, defaultFontFamily: fonts.sansSerifFamily } : {}),
    },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
