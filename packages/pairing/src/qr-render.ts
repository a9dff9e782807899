import QRCode from 'qrcode';

import { PairingError } from './errors.js';

// M recovers from ~15% damage: enough for a screen photographed at an angle, while keeping the
// symbol small enough for a terminal.
const ERROR_CORRECTION = 'M';
// The quiet zone the QR specification asks for around images.
const IMAGE_MARGIN = 4;
// Terminals are narrow; two modules of quiet zone is what phone cameras need in practice.
const TERMINAL_MARGIN = 2;
const DEFAULT_PNG_SCALE = 8;
const MAX_PNG_SCALE = 64;

// Black on white, whatever the terminal's own colours, so the code is never inverted.
const ANSI_BLACK_ON_WHITE = '\x1b[30;47m';
const ANSI_RESET = '\x1b[0m';

/**
 * The QR code of `text` as a standalone SVG document (`viewBox` in modules, no fixed size), for
 * the dashboard. Throws `PairingError` `QR_PAYLOAD_TOO_LARGE` when `text` cannot fit in a QR code.
 */
export async function renderQrSvg(text: string): Promise<string> {
  return encode(text, () =>
    QRCode.toString(text, { type: 'svg', errorCorrectionLevel: ERROR_CORRECTION, margin: IMAGE_MARGIN }),
  );
}

/**
 * The QR code of `text` as a PNG, `scale` pixels per module (default 8, so a typical pairing
 * code is about 500 px wide). A few KB, so it is returned whole. Throws like {@link renderQrSvg}.
 *
 * @example
 * reply.type('image/png').send(await renderQrPng(payload));
 */
export async function renderQrPng(text: string, options: { scale?: number } = {}): Promise<Buffer> {
  const scale = options.scale ?? DEFAULT_PNG_SCALE;
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_PNG_SCALE) {
    throw new RangeError(`scale must be an integer from 1 to ${MAX_PNG_SCALE}`);
  }
  return encode(text, () =>
    QRCode.toBuffer(text, {
      type: 'png',
      errorCorrectionLevel: ERROR_CORRECTION,
      margin: IMAGE_MARGIN,
      scale,
    }),
  );
}

/**
 * The QR code of `text` as terminal text, for a Pi without a screen: `qrcode`'s `utf8` type,
 * which packs two modules into one character with half blocks (`▀ ▄ █`), so a pairing code fits
 * in 80 columns. Each line is wrapped in ANSI "black on white" so the code scans on dark and
 * light terminals alike; `ansiColors: false` leaves the plain characters (dark modules drawn,
 * for a light background), e.g. for a log file. Throws like {@link renderQrSvg}.
 *
 * @example
 * process.stdout.write(`${await renderQrTerminal(payload)}\n`);
 */
export async function renderQrTerminal(
  text: string,
  options: { ansiColors?: boolean } = {},
): Promise<string> {
  const plain = await encode(text, () =>
    QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: ERROR_CORRECTION, margin: TERMINAL_MARGIN }),
  );
  if (options.ansiColors === false) return plain;
  return plain
    .split('\n')
    .map((line) => `${ANSI_BLACK_ON_WHITE}${line}${ANSI_RESET}`)
    .join('\n');
}

async function encode<T>(text: string, render: () => Promise<T>): Promise<T> {
  if (text === '')
    throw new PairingError('PAIRING_PAYLOAD_INVALID', 'There is nothing to put in the QR code');
  try {
    return await render();
  } catch (err) {
    // qrcode's only failure for a non-empty string: more data than version 40 holds.
    if (err instanceof Error && /too big/i.test(err.message)) {
      throw new PairingError('QR_PAYLOAD_TOO_LARGE', 'The text is too long for a QR code', { cause: err });
    }
    throw err;
  }
}
