import { randomInt } from 'node:crypto';

/** RFC 8628 6.1: no vowels (no words), no look-alikes; 20^8 ≈ 2^34.5 codes. */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** A user code as shown: BCDF-GHJK. */
export function generateUserCode(): string {
  const chars = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** What the user typed, compared case- and dash-insensitively: "bcdf ghjk" → BCDFGHJK. */
export function normaliseUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z]/g, '');
}

export function formatUserCode(normalised: string): string {
  return normalised.length === 8 ? `${normalised.slice(0, 4)}-${normalised.slice(4)}` : normalised;
}
