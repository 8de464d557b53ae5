/**
 * Stored secrets, sealed with SecretBox and bound to their record (aad `secret:<id>`), so a sealed
 * value copied onto another record does not open. The plaintext never reaches the store, and only
 * reveal() (for collectors and playbook actions, never the API) gives it back.
 */
import { randomUUID } from 'node:crypto';
import {
  SecretSchema,
  secretsSpec,
  type PublicSecret,
  type Secret,
  type SecretKind,
} from '../model/secret.js';
import { NotFoundError, type Collection, type Store } from '../store/port.js';
import type { SecretBox } from './secret-box.js';

export interface SecretInput {
  /** Replaces the secret with this id when given; default: a new id. */
  id?: string;
  name: string;
  kind: SecretKind;
  tenantId?: string;
  value: string | Buffer;
}

const StoredSecretSchema = SecretSchema.omit({ version: true, createdAt: true, updatedAt: true });

const aadOf = (id: string): string => `secret:${id}`;

export function toPublicSecret(secret: Secret): PublicSecret {
  const { sealed: _sealed, ...rest } = secret;
  return { ...rest, hasValue: true };
}

export class SecretStore {
  private readonly secrets: Collection<Secret>;

  constructor(
    store: Store,
    private readonly box: SecretBox,
  ) {
    this.secrets = store.collection<Secret>(secretsSpec.name);
  }

  /** Creates or replaces a secret; DuplicateKeyError when another secret has the name. */
  async put(input: SecretInput): Promise<PublicSecret> {
    const { id = randomUUID(), name, kind, tenantId, value } = input;
    const doc = StoredSecretSchema.parse({
      id,
      name,
      kind,
      // Left out rather than undefined, which the MongoDB driver would store as null.
      ...(tenantId !== undefined && { tenantId }),
      keyId: this.box.keyId,
      sealed: this.box.seal(value, aadOf(id)),
    });
    return toPublicSecret(await this.secrets.upsert(doc));
  }

  /** The plaintext; SecretIntegrityError when the stored value was altered or sealed under another key. */
  async reveal(id: string): Promise<Buffer> {
    const secret = await this.secrets.get(id);
    if (!secret) throw new NotFoundError(`${secretsSpec.name}/${id} not found`, secretsSpec.name, id);
    return this.box.open(secret.sealed, aadOf(id));
  }

  delete(id: string): Promise<boolean> {
    return this.secrets.delete(id);
  }
}
