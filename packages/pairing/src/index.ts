export {
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  formatPairingCode,
  generatePairingCode,
  generatePairingSecret,
  hashPairingValue,
  normalizePairingCode,
} from './pairing-code.js';
