/** A role: a named set of permissions, including the 三员 (three-officer) separation of duties. */
import { z, StoredFields } from './common.js';
import { SchemaVersion } from './fragments.js';

export const Permission = z
  .string()
  .max(128)
  .regex(
    /^([a-z][a-z0-9_-]*|\*):([a-z][a-z0-9_-]*|\*)$/,
    'expected resource:action, e.g. alerts:read or clusters:*',
  )
  .describe('Permission as resource:action; * is a wildcard on either side, e.g. alerts:read, playbooks:*');

export const DutyClass = z
  .enum(['system_admin', 'security_admin', 'audit_admin'])
  .describe(
    '三员 duty: system_admin (系统管理员), security_admin (安全管理员), audit_admin (审计管理员); one user holds at most one',
  );
export type DutyClass = z.infer<typeof DutyClass>;

const roleInput = {
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z][a-z0-9_-]*$/, 'expected a lowercase identifier, e.g. soc-analyst')
    .describe('Unique role name, e.g. soc-analyst'),
  displayName: z.string().max(128).optional().describe('Display name, e.g. 安全分析员'),
  description: z.string().max(2000).optional().describe('What the role is for'),
  permissions: z.array(Permission).default([]).describe('Granted permissions'),
  tenantScoped: z
    .boolean()
    .default(false)
    .describe("Whether grants are limited to the holder's tenant (租户内) rather than platform-wide"),
  duty: DutyClass.optional().describe('三员 duty class, for separation-of-duties checks'),
};

export const RoleSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...roleInput,
    builtin: z.boolean().default(false).describe('Shipped with Yunshu; cannot be edited or deleted'),
  })
  .describe('A role')
  .openapi('Role');
export type Role = z.infer<typeof RoleSchema>;

export const RoleCreateSchema = z
  .strictObject(roleInput)
  .describe('Creation of a custom role')
  .openapi('RoleCreate');
export type RoleCreate = z.infer<typeof RoleCreateSchema>;
