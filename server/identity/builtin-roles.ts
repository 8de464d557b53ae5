/**
 * The roles Yunshu ships. The 三员 (three-officer) separation of GB/T 22239 level 3 is built in:
 * the system admin runs the platform but neither assigns roles nor reads audit; the security admin
 * sets security policy and assigns roles but manages no accounts or infrastructure; the audit admin
 * reads and verifies audit and changes nothing. A user may hold roles of at most one duty class.
 * docs/roles.md documents this table; test/identity/role-matrix.test.ts checks both agree.
 */
import type { DutyClass, RoleCreate } from '../model/role.js';

export interface BuiltinRole extends RoleCreate {
  id: string;
}

const role = (
  id: string,
  displayName: string,
  description: string,
  permissions: string[],
  extra: { tenantScoped?: boolean; duty?: DutyClass } = {},
): BuiltinRole => ({ id, name: id, displayName, description, permissions, tenantScoped: false, ...extra });

export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  role(
    'system-admin',
    '系统管理员',
    'Runs the platform: accounts, tenants, clusters, secrets, settings. Cannot assign roles or read audit.',
    [
      'users:read',
      'users:create',
      'users:update',
      'users:delete',
      'roles:read',
      'tokens:*',
      'tenants:*',
      'clusters:*',
      'inventory:read',
      'metrics:read',
      'secrets:*',
      'settings:*',
    ],
    { duty: 'system_admin' },
  ),
  role(
    'security-admin',
    '安全管理员',
    'Sets security policy: roles and their assignment, detection rules and the event sources feeding them (ingest tokens), playbooks, compliance.',
    [
      'users:read',
      'users:assign_roles',
      'roles:*',
      'tokens:*',
      'tenants:read',
      'clusters:read',
      'inventory:read',
      'metrics:read',
      'events:read',
      'events:ingest',
      'alerts:*',
      'incidents:*',
      'rules:*',
      'playbooks:*',
      'playbook_runs:*',
      'compliance:*',
    ],
    { duty: 'security_admin' },
  ),
  role(
    'audit-admin',
    '审计管理员',
    'Reads, exports and verifies the audit log. Changes nothing.',
    ['audit:read', 'audit:export', 'audit:verify', 'users:read', 'roles:read'],
    { duty: 'audit_admin' },
  ),
  role('ops', '云管运维', 'Cloud operations: clusters, inventory, usage, tenants (read).', [
    'clusters:*',
    'inventory:read',
    'metrics:read',
    'tenants:read',
    'alerts:read',
    'tokens:*',
  ]),
  role('analyst', '安全分析员', 'SOC analyst: triage alerts, work incidents, run and approve playbooks.', [
    'events:read',
    'alerts:read',
    'alerts:update',
    'incidents:*',
    'rules:read',
    'playbooks:read',
    'playbook_runs:*',
    'inventory:read',
    'clusters:read',
    'tenants:read',
    'metrics:read',
    'compliance:read',
    'tokens:*',
  ]),
  role('leader', '领导视图', 'Read-only dashboards: MTTx, alerts, incidents, compliance, inventory.', [
    'metrics:read',
    'alerts:read',
    'incidents:read',
    'compliance:read',
    'inventory:read',
    'clusters:read',
    'tenants:read',
  ]),
  role(
    'tenant-admin',
    '租户管理员',
    "Administers one tenant (委办局): its users, alerts and incidents, within the tenant's own data.",
    [
      'users:read',
      'users:create',
      'users:update',
      'tenants:read',
      'inventory:read',
      'metrics:read',
      'alerts:read',
      'alerts:update',
      'incidents:read',
      'incidents:update',
      'playbook_runs:read',
      'compliance:read',
      'tokens:*',
    ],
    { tenantScoped: true },
  ),
  role(
    'tenant-viewer',
    '租户只读',
    "Reads one tenant's data.",
    ['tenants:read', 'inventory:read', 'metrics:read', 'alerts:read', 'incidents:read', 'compliance:read'],
    { tenantScoped: true },
  ),
  role(
    'automation',
    '自动化',
    'Unattended automation: ingest events, run playbooks, update alerts and incidents.',
    [
      'events:ingest',
      'alerts:read',
      'alerts:update',
      'incidents:read',
      'incidents:update',
      'playbook_runs:run',
      'playbook_runs:read',
      'inventory:read',
      'tokens:*',
    ],
  ),
];

export const BUILTIN_ROLE_IDS = BUILTIN_ROLES.map((r) => r.id);
