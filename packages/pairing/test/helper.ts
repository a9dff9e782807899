import { randomUUID } from 'node:crypto';

import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

import { generatePairingCode, generatePairingSecret, type PairingPayload } from '../src/index.js';

// jsqr is CommonJS whose exports object is the decoder with a `default` pointing at itself;
// under NodeNext the types only see the `default`.
const jsQR = jsQRModule.default;

/** A realistic pairing payload with fresh random values. */
export function samplePairingPayload(overrides: Partial<PairingPayload> = {}): PairingPayload {
  return {
    urls: ['https://iclood.local:8443', 'http://192.168.1.20:8080'],
    secret: generatePairingSecret(),
    code: generatePairingCode(),
    serverId: randomUUID(),
    fingerprint: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
    ...overrides,
  };
}

/**
 * The older `iclood://pair?…` form of a pairing code (every URL a `u`), which parsers still
 * accept: written out here by hand, as the apps that print it did.
 */
export function legacyPairingPayload(payload: PairingPayload): string {
  const params: Array<[string, string]> = [
    ['v', '1'],
    ...payload.urls.map((url): [string, string] => ['u', url]),
    ['s', payload.secret],
    ['c', payload.code],
    ['id', payload.serverId],
    ...(payload.fingerprint === undefined ? [] : [['fp', payload.fingerprint] as [string, string]]),
  ];
  return `iclood://pair?${params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}

/** Decodes a PNG with jsQR, a decoder that is not the encoder under test. */
export function decodeQrPng(buffer: Buffer): string | undefined {
  const png = PNG.sync.read(buffer);
  return jsQR(Uint8ClampedArray.from(png.data), png.width, png.height)?.data;
}

/**
 * Decodes a module matrix (true = dark) with jsQR: each module becomes a `scale`-pixel square,
 * inside a white quiet zone, so renderings that are not images (SVG paths, terminal text) can be
 * read back by a real decoder.
 */
export function decodeQrModules(modules: boolean[][], scale = 4, quietZone = 4): string | undefined {
  const rows = modules.length + quietZone * 2;
  const columns = Math.max(...modules.map((row) => row.length)) + quietZone * 2;
  const width = columns * scale;
  const height = rows * scale;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const offset = (((y + quietZone) * scale + dy) * width + (x + quietZone) * scale + dx) * 4;
          rgba[offset] = rgba[offset + 1] = rgba[offset + 2] = 0;
        }
      }
    }),
  );
  return jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' })?.data;
}
