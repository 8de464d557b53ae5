/** A cloud platform in the province's "1+N+M" layout (1 provincial main cloud, N sector clouds, M city clouds). */
import { z, Labels, StoredFields } from './common.js';
import { SchemaVersion } from './fragments.js';

export const CloudProvider = z
  .enum(['huawei', 'aliyun', 'ctyun', 'inspur', 'tencent', 'ecloud', 'unicom', 'self_built', 'other'])
  .describe(
    'Known provider family, a hint for icons and collectors: huawei (华为云), aliyun (阿里云), ctyun (天翼云), inspur (浪潮云), tencent (腾讯云), ecloud (移动云), unicom (联通云), self_built (自建), other',
  );
export type CloudProvider = z.infer<typeof CloudProvider>;

export const CloudTier = z
  .enum(['provincial', 'sector', 'city'])
  .describe('Tier in the 1+N+M layout: provincial (省级主云), sector (行业云), city (市级云)');
export type CloudTier = z.infer<typeof CloudTier>;

export const DrRole = z
  .enum(['primary', 'standby', 'backup'])
  .describe('Disaster-recovery role (容灾角色): primary (主), standby (备, hot/warm), backup (灾备, cold)');
export type DrRole = z.infer<typeof DrRole>;

export const NetworkZone = z
  .enum(['egov_extranet', 'internet', 'dedicated', 'other'])
  .describe('Network zone: egov_extranet (政务外网), internet (互联网), dedicated (专网), other');
export type NetworkZone = z.infer<typeof NetworkZone>;

const cloudInput = {
  name: z.string().min(1).max(128).describe('Display name, unique, e.g. 省政务云主节点'),
  provider: z
    .string()
    .min(1)
    .max(128)
    .describe(
      'Provider and product as the contract names it (free text), e.g. 华为云Stack 8.3, 浪潮云, 自建',
    ),
  providerHint: CloudProvider.default('other'),
  tier: CloudTier,
  site: z.string().min(1).max(256).describe('Data-centre site (机房/数据中心), e.g. 贵安数据中心'),
  drRole: DrRole.default('primary'),
  networkZone: NetworkZone,
  carrier: z.string().max(128).optional().describe('Network carrier (运营商), e.g. 中国电信'),
  description: z.string().max(2000).optional().describe('Free-text notes'),
  labels: Labels.default({}),
};

export const CloudSchema = z
  .object({ ...StoredFields, schemaVersion: SchemaVersion, ...cloudInput })
  .describe('A cloud platform hosting clusters')
  .openapi('Cloud');
export type Cloud = z.infer<typeof CloudSchema>;

export const CloudCreateSchema = z
  .strictObject(cloudInput)
  .describe('Registration of a cloud platform')
  .openapi('CloudCreate');
export type CloudCreate = z.infer<typeof CloudCreateSchema>;
