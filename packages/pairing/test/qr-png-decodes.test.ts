import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { buildPairingPayload, buildTokenPayload, parsePairingPayload, renderQrPng } from '../src/index.js';
import { decodeQrPng, samplePairingPayload } from './helper.js';

describe('QR PNG', () => {
  it('is read back to the exact pairing payload by a real decoder', async () => {
    const payload = samplePairingPayload({
      urls: ['https://iclood.local:8443', 'http://192.168.1.20:8080', 'http://[fd00::1a2b]:8080'],
    });
    const text = buildPairingPayload(payload);
    const png = await renderQrPng(text);

    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeLessThan(16_384);
    const decoded = decodeQrPng(png);
    expect(decoded).toBe(text);
    expect(parsePairingPayload(decoded!)).toEqual(payload);
  });

  it('is read back to a Shortcuts token payload', async () => {
    const text = buildTokenPayload({
      urls: ['http://192.168.1.20:8080'],
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
      serverId: '5f0c7a8e-0f0e-4d5c-9b8a-1c2d3e4f5a6b',
    });
    expect(decodeQrPng(await renderQrPng(text, { scale: 3 }))).toBe(text);
  });

  it('draws scale pixels per module inside a 4-module quiet zone', async () => {
    const text = buildPairingPayload(samplePairingPayload());
    const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;
    for (const scale of [1, 5, 8]) {
      const png = PNG.sync.read(await renderQrPng(text, { scale }));
      expect(png.width).toBe((modules + 8) * scale);
      expect(png.height).toBe(png.width);
    }
    // Default: 8 pixels per module.
    expect(PNG.sync.read(await renderQrPng(text)).width).toBe((modules + 8) * 8);
  });

  it('rejects a scale that is not a sensible whole number', async () => {
    for (const scale of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(renderQrPng('x', { scale })).rejects.toBeInstanceOf(RangeError);
    }
  });
});
