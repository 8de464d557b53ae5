import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicSecretSchema, secretsSpec } from '../../server/model/secret.js';
import { SecretBox, SecretIntegrityError } from '../../server/secrets/secret-box.js';
import { SecretStore } from '../../server/secrets/secret-store.js';
import { DuplicateKeyError, NotFoundError } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';

const plaintext =
  'apiVersion: v1\nclusters:\n- cluster: {server: https://gz-1.example:6443}\nusers:\n- user: {token: yunshu-sekrit-7f3a9c}\n';

let root: string;
let store: SqliteStore;
let secrets: SecretStore;
const box = new SecretBox(randomBytes(32));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'yunshu-secrets-'));
  store = new SqliteStore({ file: join(root, 'yunshu.db'), collections: [secretsSpec] });
  secrets = new SecretStore(store, box);
});
afterEach(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

test('put returns the public view only; reveal returns the plaintext', async () => {
  const view = await secrets.put({
    id: 's1',
    name: 'gz-1-kubeconfig',
    kind: 'kubeconfig',
    tenantId: 't-gz',
    value: plaintext,
  });
  expect(PublicSecretSchema.strict().parse(view)).toEqual(view);
  expect(view).toMatchObject({
    id: 's1',
    name: 'gz-1-kubeconfig',
    kind: 'kubeconfig',
    tenantId: 't-gz',
    keyId: box.keyId,
    hasValue: true,
  });
  expect(view).not.toHaveProperty('sealed');
  expect((await secrets.reveal('s1')).toString()).toBe(plaintext);
});

test('the plaintext is nowhere in the database files', async () => {
  await secrets.put({ name: 'gz-1-kubeconfig', kind: 'kubeconfig', value: plaintext });
  await store.close();
  const needles = ['yunshu-sekrit-7f3a9c', 'gz-1.example'].map((s) => Buffer.from(s));
  const files = readdirSync(root);
  // The record itself is there, so the search below does look at the stored data.
  expect(readFileSync(join(root, 'yunshu.db')).includes(Buffer.from('gz-1-kubeconfig'))).toBe(true);
  for (const file of files) {
    const bytes = readFileSync(join(root, file));
    for (const needle of needles) expect(bytes.includes(needle)).toBe(false);
  }
});

test('put with an existing id replaces the value; names are unique', async () => {
  await secrets.put({ id: 's1', name: 'hook', kind: 'webhook', value: 'old' });
  const replaced = await secrets.put({ id: 's1', name: 'hook', kind: 'webhook', value: 'new' });
  expect(replaced.version).toBe(2);
  expect((await secrets.reveal('s1')).toString()).toBe('new');
  await expect(secrets.put({ name: 'hook', kind: 'other', value: 'x' })).rejects.toBeInstanceOf(
    DuplicateKeyError,
  );
});

test('a sealed value moved to another record does not open there', async () => {
  await secrets.put({ id: 'a', name: 'a', kind: 'other', value: 'for a' });
  await secrets.put({ id: 'b', name: 'b', kind: 'other', value: 'for b' });
  const db = new Database(join(root, 'yunshu.db'));
  try {
    db.prepare(
      `UPDATE secrets SET data = json_set(data, '$.sealed', (SELECT json_extract(data, '$.sealed') FROM secrets WHERE id = 'a')) WHERE id = 'b'`,
    ).run();
  } finally {
    db.close();
  }
  await expect(secrets.reveal('b')).rejects.toBeInstanceOf(SecretIntegrityError);
});

test('a secret sealed under another master key does not open', async () => {
  await new SecretStore(store, new SecretBox(randomBytes(32))).put({
    id: 'x',
    name: 'x',
    kind: 'other',
    value: 'v',
  });
  await expect(secrets.reveal('x')).rejects.toBeInstanceOf(SecretIntegrityError);
});

test('delete removes the secret; reveal of a missing secret is NotFound', async () => {
  await secrets.put({ id: 's1', name: 'p', kind: 'prometheus', value: 'user:pass' });
  expect(await secrets.delete('s1')).toBe(true);
  expect(await secrets.delete('s1')).toBe(false);
  await expect(secrets.reveal('s1')).rejects.toBeInstanceOf(NotFoundError);
});

test('invalid input is refused before anything is stored', async () => {
  await expect(secrets.put({ name: '', kind: 'kubeconfig', value: 'v' })).rejects.toThrow();
  await expect(secrets.put({ name: 'n', kind: 'ssh' as 'other', value: 'v' })).rejects.toThrow();
  expect(await store.collection(secretsSpec.name).count()).toBe(0);
});
