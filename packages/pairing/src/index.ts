export {
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  formatPairingCode,
  generatePairingCode,
  generatePairingSecret,
  hashPairingValue,
  normalizePairingCode,
} from './pairing-code.js';
export { newPairingCredentials, type PairingCredentials } from './pairing-credentials.js';
export { PAIRING_TTL_MS, effectivePairingStatus, type PairingStatus } from './pairing-session.js';
export { PAIRING_GUESS_BUDGET, chanceOfGuessingAnOpenCode } from './pairing-guess-budget.js';
export {
  buildPairingPayload,
  buildTokenPayload,
  parsePairingPayload,
  parseTokenPayload,
  type PairingPayload,
  type TokenPayload,
} from './qr-payload.js';
export { renderQrPng, renderQrSvg, renderQrTerminal } from './qr-render.js';
export {
  ALL_SCOPES,
  APP_DEVICE_SCOPES,
  SHORTCUT_DEFAULT_SCOPES,
  isScope,
  type Scope,
} from './device-scopes.js';
export { PairingError, type PairingErrorCode } from './errors.js';
