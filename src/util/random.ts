import { randomBytes } from 'node:crypto';

/** An unguessable base64url id: 32 bytes = 256 bits unless asked otherwise. */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
