import { PAIRING_CODE_ALPHABET, PAIRING_CODE_LENGTH } from './pairing-code.js';
import { PAIRING_TTL_MS } from './pairing-session.js';

/**
 * How many manual-code guesses the server checks, and how many codes can be open at once to be
 * hit by one. A wrong code names no pairing, so it never closes one: it is limited where it comes
 * from instead, per client and across the server, and refused unchecked once over the limit.
 *
 * The bound, with these numbers: there are 20^8 = 2.56·10^10 codes. Windows are as long as a
 * code lives (10 minutes), so the life of any code overlaps at most 2 windows, in which the
 * server checks at most 2 × 300 = 600 wrong codes, from however many clients. Each guess matches
 * at most one of the ≤ 20 codes open at once, so the chance that any open code is guessed during
 * its life is at most 600 × 20 / 2.56·10^10 ≈ 4.7·10^-7, below one in a million. One client alone
 * gets 2 × 5 = 10 guesses per code life: ≈ 7.8·10^-9.
 */
export const PAIRING_GUESS_BUDGET = {
  /** Wrong codes one client (IP address) may send per window; the next are refused unchecked. */
  perClient: 5,
  /** Wrong codes the whole server checks per window, summed over every client. */
  perServer: 300,
  windowMs: PAIRING_TTL_MS,
  /** Pairings open at once, over all users; opening one more is refused until one closes. */
  maxOpenPairings: 20,
} as const;

/**
 * The most an attacker can achieve under `budget`: the chance that any open code is guessed
 * within the life of a code, however many clients they use (see {@link PAIRING_GUESS_BUDGET}).
 *
 * @example
 * chanceOfGuessingAnOpenCode(); // ≈ 4.7e-7
 */
export function chanceOfGuessingAnOpenCode(
  budget: { perServer: number; windowMs: number; maxOpenPairings: number } = PAIRING_GUESS_BUDGET,
): number {
  const codes = PAIRING_CODE_ALPHABET.length ** PAIRING_CODE_LENGTH;
  const windowsPerCodeLife = Math.ceil(PAIRING_TTL_MS / budget.windowMs) + 1;
  const guessesPerCodeLife = windowsPerCodeLife * budget.perServer;
  return (guessesPerCodeLife * budget.maxOpenPairings) / codes;
}
