import { describe, expect, it } from 'vitest';
import { addSvgTooltips } from './render-svg.ts';

describe('addSvgTooltips', () => {
  it.each([
    ['a self-closing data mark gets a <title> child',
      '<path aria-label="batch size: 16" role="graphics-symbol" aria-roledescription="point" d="M0,0"/>',
      '<path aria-label="batch size: 16" role="graphics-symbol" aria-roledescription="point" d="M0,0"><title>batch size: 16</title></path>'],
    ['a text mark keeps its content after the title',
      '<text aria-label="0.95" role="graphics-symbol" x="1">0.95</text>',
      '<text aria-label="0.95" role="graphics-symbol" x="1"><title>0.95</title>0.95</text>'],
    ['newlines and entities in the label are decoded, text re-escaped',
      '<path aria-label="run a &amp; b&#xA;seed 1 &lt;2&gt;" role="graphics-symbol"/>',
      '<path aria-label="run a &amp; b&#xA;seed 1 &lt;2&gt;" role="graphics-symbol"><title>run a &amp; b\nseed 1 &lt;2&gt;</title></path>'],
    ['axes and legends (groups) are left alone',
      '<g class="mark-group role-axis" role="graphics-symbol" aria-label="X-axis titled batch size"><path d="M0,0"/></g>',
      '<g class="mark-group role-axis" role="graphics-symbol" aria-label="X-axis titled batch size"><path d="M0,0"/></g>'],
    ['a mark without a label is left alone',
      '<path role="graphics-symbol" d="M0,0"/>', '<path role="graphics-symbol" d="M0,0"/>'],
  ])('%s', (_name, input, expected) => expect(addSvgTooltips(input)).toBe(expected));
});
