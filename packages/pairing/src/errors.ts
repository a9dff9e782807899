/** Stable codes callers match on (`err.code === 'PAIRING_PAYLOAD_INVALID'`), never on message text. */
export type PairingErrorCode = 'PAIRING_PAYLOAD_INVALID' | 'QR_PAYLOAD_TOO_LARGE';

/**
 * The one error class this package throws on purpose: a QR payload that is not ours or is
 * malformed (`PAIRING_PAYLOAD_INVALID`), or text too long to fit in a QR code
 * (`QR_PAYLOAD_TOO_LARGE`). Misuse, such as a bad render option, throws a plain `RangeError`.
 *
 * @example
 * try { parsePairingPayload(scanned) } catch (err) {
 *   if ((err as PairingError).code === 'PAIRING_PAYLOAD_INVALID') showNotAnIcloodCode()
 * }
 */
export class PairingError extends Error {
  override readonly name = 'PairingError';
  readonly code: PairingErrorCode;

  constructor(code: PairingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
