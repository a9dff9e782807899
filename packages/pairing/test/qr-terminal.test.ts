import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';

import { buildPairingPayload, renderQrTerminal } from '../src/index.js';
import { decodeQrModules, samplePairingPayload } from './helper.js';

const BLACK_ON_WHITE = '\x1b[30;47m';
const RESET = '\x1b[0m';

const HALF_BLOCKS: Record<string, [top: boolean, bottom: boolean]> = {
  ' ': [false, false],
  '▀': [true, false],
  '▄': [false, true],
  '█': [true, true],
};

/** Turns half-block text back into rows of modules (true = dark). */
function modulesFromText(lines: string[]): boolean[][] {
  return lines.flatMap((line) => {
    const pairs = [...line].map((char) => {
      const pair = HALF_BLOCKS[char];
      if (!pair) throw new Error(`unexpected character ${JSON.stringify(char)}`);
      return pair;
    });
    return [pairs.map(([top]) => top), pairs.map(([, bottom]) => bottom)];
  });
}

describe('QR terminal text', () => {
  const payload = samplePairingPayload({
    urls: ['https://iclood.local:8443', 'http://iclood.local:8080', 'http://192.168.1.20:8080'],
  });
  const text = buildPairingPayload(payload);
  const size = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;

  it('has one line per two module rows plus a quiet zone, and fits 80 columns', async () => {
    const lines = (await renderQrTerminal(text, { ansiColors: false })).split('\n');
    // Two modules per character: the odd last row shares its line with quiet zone; one line
    // (two modules) of quiet zone above and below.
    expect(lines).toHaveLength((size + 1) / 2 + 2);
    for (const line of lines) expect([...line]).toHaveLength(size + 4);
    expect(size + 4).toBeLessThanOrEqual(80);
  });

  it('is read back to the payload by a real decoder', async () => {
    const lines = (await renderQrTerminal(text, { ansiColors: false })).split('\n');
    expect(decodeQrModules(modulesFromText(lines))).toBe(text);
  });

  it('wraps every line in black-on-white so a dark terminal does not invert it', async () => {
    const colored = (await renderQrTerminal(text)).split('\n');
    expect(colored).toHaveLength((size + 1) / 2 + 2);
    const stripped = colored.map((line) => {
      expect(line.startsWith(BLACK_ON_WHITE)).toBe(true);
      expect(line.endsWith(RESET)).toBe(true);
      return line.slice(BLACK_ON_WHITE.length, -RESET.length);
    });
    for (const line of stripped) expect(line).toMatch(/^[ ▀▄█]+$/);
    expect(decodeQrModules(modulesFromText(stripped))).toBe(text);
  });
});
