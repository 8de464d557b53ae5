/**
 * Authenticated encryption of secrets at rest with 国密 algorithms: SM4-CTR, then HMAC-SM3 over
 * everything that identifies the value (encrypt-then-MAC), keys derived from the master key with
 * HKDF-SM3. A sealed value reads
 *
 *   ys1.sm4ctr.<keyId>.<iv>.<ciphertext>.<tag>      (binary parts base64url)
 *
 * keyId (8 hex of SM3 of the master key) tells which key sealed a value, so a rotation can find
 * what is still under the old one. The aad binds a value to its owner (e.g. `secret:<id>`): a
 * sealed value copied onto another record does not open there.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { MASTER_KEY_BYTES } from './master-key.js';

const VERSION = 'ys1';
const ALGORITHM = 'sm4ctr';
const IV_BYTES = 16;
const SM4_KEY_BYTES = 16;
const MAC_KEY_BYTES = 32;

export class SecretIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretIntegrityError';
  }
}

const deriveKey = (masterKey: Buffer, purpose: string, bytes: number): Buffer =>
  Buffer.from(hkdfSync('sm3', masterKey, Buffer.alloc(0), `yunshu secret-box ${VERSION} ${purpose}`, bytes));

/** Strict base64url: Node's decoder skips bad characters, which would make sealed strings malleable. */
function fromBase64url(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new SecretIntegrityError('sealed value is malformed');
  return bytes;
}

/** Each part length-prefixed, so no two different (aad, iv, ciphertext) give the same MAC input. */
function macInput(parts: readonly Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, part];
    }),
  );
}

export class SecretBox {
  readonly keyId: string;
  // Private fields: keys stay out of console.log, util.inspect and JSON.stringify.
  readonly #sm4Key: Buffer;
  readonly #macKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES)
      throw new RangeError(`master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
    this.keyId = createHash('sm3').update(masterKey).digest('hex').slice(0, 8);
    this.#sm4Key = deriveKey(masterKey, 'sm4-ctr', SM4_KEY_BYTES);
    this.#macKey = deriveKey(masterKey, 'hmac-sm3', MAC_KEY_BYTES);
  }

  private tag(header: string, aad: string, iv: Buffer, ciphertext: Buffer): Buffer {
    return createHmac('sm3', this.#macKey)
      .update(macInput([Buffer.from(header), Buffer.from(aad), iv, ciphertext]))
      .digest();
  }

  private get header(): string {
    return `${VERSION}.${ALGORITHM}.${this.keyId}`;
  }

  seal(plaintext: string | Buffer, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('sm4-ctr', this.#sm4Key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = this.tag(this.header, aad, iv, ciphertext);
    return [this.header, ...[iv, ciphertext, tag].map((part) => part.toString('base64url'))].join('.');
  }

  /** The plaintext; SecretIntegrityError if altered, sealed for another aad or under another key. */
  open(sealed: string, aad: string): Buffer {
    const parts = sealed.split('.');
    const [version, algorithm, keyId, ivText, ciphertextText, tagText] = parts;
    if (parts.length !== 6 || version !== VERSION || algorithm !== ALGORITHM)
      throw new SecretIntegrityError('not a sealed value of a known format');
    if (keyId !== this.keyId)
      throw new SecretIntegrityError(`sealed under key ${keyId}, but this master key is ${this.keyId}`);
    const iv = fromBase64url(ivText!);
    const ciphertext = fromBase64url(ciphertextText!);
    const tag = fromBase64url(tagText!);
    const expected = this.tag(this.header, aad, iv, ciphertext);
    if (iv.length !== IV_BYTES || tag.length !== expected.length || !timingSafeEqual(tag, expected))
      throw new SecretIntegrityError(
        'sealed value does not authenticate (altered, or sealed for another owner)',
      );
    const decipher = createDecipheriv('sm4-ctr', this.#sm4Key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  }

  /** Re-seals a value of this box under `next` (master-key rotation). */
  rotate(sealed: string, aad: string, next: SecretBox): string {
    const plaintext = this.open(sealed, aad);
    try {
      return next.seal(plaintext, aad);
    } finally {
      plaintext.fill(0);
    }
  }
}
