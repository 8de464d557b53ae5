/**
 * Permissions are `resource:action` strings; a grant may use `*` for either part. Every route
 * declares the one permission it needs; roles grant lists of them.
 */

/** Everything a route may require. Grants are checked against this list when roles are saved. */
export const PERMISSIONS = [
  'audit:read',
  'audit:export',
  'audit:verify',
  'users:read',
  'users:create',
  'users:update',
  'users:delete',
  'users:assign_roles',
  'roles:read',
  'roles:create',
  'roles:update',
  'roles:delete',
  'tokens:read',
  'tokens:create',
  'tokens:revoke',
  'tenants:read',
  'tenants:create',
  'tenants:update',
  'tenants:delete',
  'clusters:read',
  'clusters:create',
  'clusters:update',
  'clusters:delete',
  'inventory:read',
  'metrics:read',
  'secrets:read',
  'secrets:write',
  'settings:read',
  'settings:update',
  'events:read',
  'events:ingest',
  'alerts:read',
  'alerts:update',
  'incidents:read',
  'incidents:create',
  'incidents:update',
  'rules:read',
  'rules:write',
  'playbooks:read',
  'playbooks:write',
  'playbook_runs:read',
  'playbook_runs:run',
  'playbook_runs:approve',
  'compliance:read',
  'compliance:run',
] as const;

export type PermissionName = (typeof PERMISSIONS)[number];

/** Whether one grant (possibly with wildcards) covers a required permission. */
export function grantCovers(grant: string, required: string): boolean {
  const [gr, ga] = grant.split(':');
  const [rr, ra] = required.split(':');
  return (gr === '*' || gr === rr) && (ga === '*' || ga === ra);
}

export function grantsCover(grants: Iterable<string>, required: string): boolean {
  for (const grant of grants) if (grantCovers(grant, required)) return true;
  return false;
}

/** Grants that name no known permission are mistakes (typos would silently grant nothing). */
export function unknownGrants(grants: readonly string[]): string[] {
  return grants.filter((grant) => !PERMISSIONS.some((p) => grantCovers(grant, p)));
}
