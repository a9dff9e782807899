import { describe, expect, it } from 'vitest';

import { PairingError, renderQrPng, renderQrSvg, renderQrTerminal } from '../src/index.js';

describe('QR capacity', () => {
  it('refuses text that no QR code can hold with QR_PAYLOAD_TOO_LARGE', async () => {
    const text = `iclood://token?v=1&t=${'x'.repeat(4000)}`;
    for (const render of [renderQrSvg, renderQrPng, renderQrTerminal]) {
      const err: unknown = await render(text).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PairingError);
      expect((err as PairingError).code).toBe('QR_PAYLOAD_TOO_LARGE');
    }
  });

  it('refuses empty text with PAIRING_PAYLOAD_INVALID', async () => {
    await expect(renderQrSvg('')).rejects.toMatchObject({ code: 'PAIRING_PAYLOAD_INVALID' });
  });
});
