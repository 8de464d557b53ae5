/** How each collection is scoped for tenant users, derived from the model registry. */
import { collections } from '../model/index.js';
import type { ScopeRule } from './scoped-store.js';

const OVERRIDES: Record<string, ScopeRule> = {
  // The tenants collection is scoped by the tenant's own id.
  tenants: 'self',
  // Tokens belong to their owner; a tenant user sees only its own.
  api_tokens: 'owner',
};

export const SCOPE_RULES: Readonly<Record<string, ScopeRule>> = Object.fromEntries(
  Object.values(collections).map((c) => [
    c.name,
    OVERRIDES[c.name] ?? (c.tenantScoped ? 'tenant' : 'platform'),
  ]),
);
