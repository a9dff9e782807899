import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';

import { buildPairingPayload, renderQrSvg } from '../src/index.js';
import { decodeQrModules, samplePairingPayload } from './helper.js';

const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*")*)\s*(\/?)>/y;

/** Checks the SVG is one well-formed XML element tree; returns the start tags in order. */
function parseTags(svg: string): Array<{ name: string; attributes: Record<string, string> }> {
  const tags: Array<{ name: string; attributes: Record<string, string> }> = [];
  const open: string[] = [];
  let index = 0;
  while (index < svg.length) {
    if (svg[index] !== '<') {
      const next = svg.indexOf('<', index);
      const textEnd = next === -1 ? svg.length : next;
      expect(svg.slice(index, textEnd).trim()).toBe(''); // no stray text between elements
      index = textEnd;
      continue;
    }
    TAG.lastIndex = index;
    const match = TAG.exec(svg);
    if (!match) throw new Error(`not a well-formed tag at ${index}: ${svg.slice(index, index + 40)}`);
    const [whole, closing, name = '', rawAttributes = '', selfClosing] = match;
    if (closing) {
      expect(open.pop()).toBe(name);
    } else {
      const attributes = Object.fromEntries(
        [...rawAttributes.matchAll(/([\w:-]+)="([^"]*)"/g)].map(([, key = '', value = '']) => [key, value]),
      );
      expect(new Set(Object.keys(attributes)).size).toBe(Object.keys(attributes).length);
      if (open.length === 0) expect(tags).toHaveLength(0); // exactly one root element
      tags.push({ name, attributes });
      if (!selfClosing) open.push(name);
    }
    index += whole.length;
  }
  expect(open).toEqual([]);
  return tags;
}

/** Rasterises qrcode's dark path (`M x y` / `m dx 0` / `h n`, one row of modules per run). */
function modulesFromPath(d: string, size: number, margin: number): boolean[][] {
  const modules = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  let x = 0;
  let y = 0;
  for (const [, command, a = '', b] of d.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (command === 'M') {
      x = Number(a);
      y = Number(b);
    } else if (command === 'm') {
      x += Number(a);
      y += Number(b ?? 0);
    } else {
      const row = y - 0.5 - margin;
      for (let i = 0; i < Number(a); i++) modules[row]![x - margin + i] = true;
      x += Number(a);
    }
  }
  return modules;
}

describe('QR SVG', () => {
  it('is a well-formed SVG document whose path a real decoder reads back', async () => {
    const text = buildPairingPayload(samplePairingPayload());
    const svg = await renderQrSvg(text);
    const size = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;

    const tags = parseTags(svg);
    const [root, ...children] = tags;
    expect(root?.name).toBe('svg');
    expect(root?.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root?.attributes.viewBox).toBe(`0 0 ${size + 8} ${size + 8}`);

    const paths = children.filter((tag) => tag.name === 'path');
    const dark = paths.find((path) => path.attributes.stroke === '#000000');
    expect(dark?.attributes.d).toMatch(/^M\d/);
    expect(paths.some((path) => path.attributes.fill === '#ffffff')).toBe(true); // opaque background

    expect(decodeQrModules(modulesFromPath(dark!.attributes.d!, size, 4))).toBe(text);
  });
});
