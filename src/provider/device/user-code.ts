import type { RandomSource } from '../../util/random.js';

/** RFC 8628 6.1: no vowels (no words), no look-alikes; 20^8 ≈ 2^34.5 codes. */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** A user code as shown: BCDF-GHJK. */
export function generateUserCode(random: RandomSource): string {
  const chars: string[] = [];
  while (chars.length < 8) {
    // Bytes from 240 up are dropped, so every letter is equally likely (240 = 12 × 20).
    for (const byte of random.bytes(8)) if (byte < 240 && chars.length < 8) chars.push(ALPHABET[byte % ALPHABET.length]!);
  }
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** What the user typed, compared case- and dash-insensitively: "bcdf ghjk" → BCDFGHJK. */
export function normaliseUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z]/g, '');
}

export function formatUserCode(normalised: string): string {
  return normalised.length === 8 ? `${normalised.slice(0, 4)}-${normalised.slice(4)}` : normalised;
}
