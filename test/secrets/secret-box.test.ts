import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretBox, SecretIntegrityError } from '../../server/secrets/secret-box.js';

const masterKey = randomBytes(32);
const box = new SecretBox(masterKey);
const aad = 'cluster:gz-1:kubeconfig';
const kubeconfig = 'apiVersion: v1\nkind: Config\nusers:\n- name: 政务云管理员\n  user: {token: abc}\n';

/** Flips one bit of a base64url part (3 = iv, 4 = ciphertext, 5 = tag) of a sealed value. */
function flipBit(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[bytes.length >> 1]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

test('seal/open round-trips UTF-8 Chinese text and binary', () => {
  expect(box.open(box.seal(kubeconfig, aad), aad).toString('utf8')).toBe(kubeconfig);
  const binary = randomBytes(1024);
  expect(box.open(box.seal(binary, aad), aad)).toEqual(binary);
  expect(box.open(box.seal('', aad), aad)).toEqual(Buffer.alloc(0));
});

test('a sealed value is versioned, names its key, and hides the plaintext', () => {
  const sealed = box.seal(kubeconfig, aad);
  expect(sealed).toMatch(/^ys1\.sm4ctr\.[0-9a-f]{8}\.[\w-]{22}\.[\w-]+\.[\w-]{43}$/);
  expect(sealed.split('.')[2]).toBe(box.keyId);
  expect(sealed).not.toContain('Config');
});

test('two seals of the same plaintext differ', () => {
  expect(box.seal(kubeconfig, aad)).not.toBe(box.seal(kubeconfig, aad));
});

test.each([
  ['iv', 3],
  ['ciphertext', 4],
  ['tag', 5],
])('a flipped bit in the %s is refused', (_name, part) => {
  const tampered = flipBit(box.seal(kubeconfig, aad), part);
  expect(() => box.open(tampered, aad)).toThrow(SecretIntegrityError);
});

test('a sealed value does not open for another owner (aad)', () => {
  const sealed = box.seal(kubeconfig, aad);
  expect(() => box.open(sealed, 'cluster:gz-2:kubeconfig')).toThrow(SecretIntegrityError);
});

test('a sealed value does not open under another key, even with its key id forged', () => {
  const other = new SecretBox(randomBytes(32));
  const sealed = box.seal(kubeconfig, aad);
  expect(() => other.open(sealed, aad)).toThrow(SecretIntegrityError);
  const relabelled = sealed.replace(`.${box.keyId}.`, `.${other.keyId}.`);
  expect(() => other.open(relabelled, aad)).toThrow(SecretIntegrityError);
});

test.each([
  ['garbage', 'not sealed'],
  ['an unknown version', (s: string) => s.replace(/^ys1/, 'ys9')],
  ['a truncated value', (s: string) => s.split('.').slice(0, 5).join('.')],
  ['non-canonical base64url', (s: string) => s.replace(/\.([\w-]+)$/, '.$1!')],
])('%s is refused', (_name, make) => {
  const sealed = typeof make === 'string' ? make : make(box.seal(kubeconfig, aad));
  expect(() => box.open(sealed, aad)).toThrow(SecretIntegrityError);
});

test('rotate re-seals under the new key', () => {
  const next = new SecretBox(randomBytes(32));
  const rotated = box.rotate(box.seal(kubeconfig, aad), aad, next);
  expect(rotated.split('.')[2]).toBe(next.keyId);
  expect(next.open(rotated, aad).toString()).toBe(kubeconfig);
  expect(() => box.open(rotated, aad)).toThrow(SecretIntegrityError);
});

test('the key id is the first 8 hex of SM3 of the master key, and derived keys stay hidden', () => {
  const fixed = new SecretBox(Buffer.alloc(32, 7));
  expect(fixed.keyId).toBe(createHash('sm3').update(Buffer.alloc(32, 7)).digest('hex').slice(0, 8));
  expect(inspect(fixed)).not.toMatch(/Buffer|<[0-9a-f ]+>/);
  expect(JSON.stringify(fixed)).toBe(JSON.stringify({ keyId: fixed.keyId }));
  expect(() => new SecretBox(randomBytes(16))).toThrow(RangeError);
});
