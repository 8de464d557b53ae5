/** SM3 digests and random tokens for credentials; the store only ever sees the digests. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sm3Hex = (text: string): string => createHash('sm3').update(text, 'utf8').digest('hex');

/** A credential: `<prefix>_<43 base64url chars>` carrying 256 random bits. */
export const newSecret = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
