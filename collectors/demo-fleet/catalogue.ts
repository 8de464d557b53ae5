/**
 * What the demo fleet is made of: CPU / OS profiles of 信创 and x86 hardware, tenants (委办局) and
 * the applications they run. Values follow what those machines really report (NFD labels,
 * /proc/cpuinfo, MIDR_EL1, osImage, kernel) so the collector's detection is exercised for real.
 */
import type { DemoClusterSpec } from './types.js';

export type Arch = 'amd64' | 'arm64';

export interface CpuModel {
  /** Node name prefix. */
  readonly prefix: string;
  /** node-feature-discovery cpu-model labels. */
  readonly vendorId: string;
  readonly family: string;
  readonly modelId: string;
  /** What lscpu / /proc/cpuinfo call it. */
  readonly modelName: string;
  /** MIDR_EL1 of arm64 CPUs: implementer [31:24], variant, architecture, part number [15:4], revision. */
  readonly midr?: string;
  readonly cores: number;
  readonly memoryGi: number;
  readonly osImage: string;
  readonly kernelVersion: string;
  readonly containerRuntimeVersion: string;
}

export interface Profile {
  readonly arch: Arch;
  readonly kubeletVersion: string;
  /** CPU of node i is cpus[i % cpus.length]: a repeated pattern keeps mixes stable at any size. */
  readonly cpus: readonly CpuModel[];
  /** Extended resource on the last node, e.g. Huawei Ascend NPUs. */
  readonly accelerator?: { readonly resource: string; readonly count: number; readonly label: string };
}

const hygon: CpuModel = {
  prefix: 'hygon',
  vendorId: 'HygonGenuine',
  family: '24',
  modelId: '1',
  modelName: 'Hygon C86 7285 32-core Processor',
  cores: 64,
  memoryGi: 256,
  osImage: 'Kylin Linux Advanced Server V10 (Sword)',
  kernelVersion: '4.19.90-24.4.v2101.ky10.x86_64',
  containerRuntimeVersion: 'containerd://1.6.21',
};

const xeon: CpuModel = {
  prefix: 'xeon',
  vendorId: 'GenuineIntel',
  family: '6',
  modelId: '85',
  modelName: 'Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz',
  cores: 96,
  memoryGi: 384,
  osImage: 'CentOS Linux 7 (Core)',
  kernelVersion: '3.10.0-1160.el7.x86_64',
  containerRuntimeVersion: 'docker://20.10.24',
};

// NFD on arm64 reports the MIDR implementer as family and the part number as id (decimal).
const kunpeng: CpuModel = {
  prefix: 'kunpeng',
  vendorId: 'Huawei',
  family: String(0x48),
  modelId: String(0xd01),
  modelName: 'Kunpeng 920-4826',
  midr: '0x481fd010',
  cores: 96,
  memoryGi: 512,
  osImage: 'Kylin Linux Advanced Server V10 (Lance)',
  kernelVersion: '4.19.90-24.4.v2101.ky10.aarch64',
  containerRuntimeVersion: 'containerd://1.6.24',
};

const phytiumBase = {
  vendorId: 'Phytium',
  family: String(0x70),
  osImage: 'UnionTech OS Server 20 Enterprise',
  kernelVersion: '4.19.0-arm64-server',
  containerRuntimeVersion: 'containerd://1.6.24',
};

const ft2000: CpuModel = {
  ...phytiumBase,
  prefix: 'ft2000',
  modelId: String(0x662),
  modelName: 'Phytium FT-2000+/64',
  midr: '0x701f6622',
  cores: 64,
  memoryGi: 128,
};

const s2500: CpuModel = {
  ...phytiumBase,
  prefix: 's2500',
  modelId: String(0x663),
  modelName: 'Phytium S2500/64',
  midr: '0x701f6633',
  cores: 128,
  memoryGi: 256,
};

export const PROFILES: Readonly<Record<string, Profile>> = {
  'x86-hygon-intel': { arch: 'amd64', kubeletVersion: 'v1.28.3', cpus: [hygon, hygon, xeon] },
  'kunpeng-kylin': {
    arch: 'arm64',
    kubeletVersion: 'v1.27.6',
    cpus: [kunpeng],
    accelerator: { resource: 'huawei.com/Ascend910', count: 8, label: 'huawei-Ascend910' },
  },
  'phytium-uos': { arch: 'arm64', kubeletVersion: 'v1.26.9', cpus: [ft2000, s2500] },
};

export const profileOf = (name: string): Profile =>
  PROFILES[name] ?? (PROFILES['x86-hygon-intel'] as Profile);

export interface Tenant {
  readonly code: string;
  readonly name: string;
  readonly namespaces: readonly string[];
}

export const DEMO_TENANTS: readonly Tenant[] = [
  { code: 'gzdsj', name: '贵州省大数据发展管理局', namespaces: ['gzdsj-data', 'gzdsj-portal'] },
  { code: 'gzgat', name: '贵州省公安厅', namespaces: ['gzgat-app'] },
  { code: 'gzwjw', name: '贵州省卫生健康委员会', namespaces: ['gzwjw-health'] },
];

export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'monitoring'];

export interface ContainerTemplate {
  readonly name: string;
  readonly image: string;
  readonly cpuMillis: number;
  readonly memoryMi: number;
  readonly cpuLimitMillis?: number;
  readonly memoryLimitMi?: number;
  readonly port?: number;
  /** Extended resources requested (and limited), e.g. NPUs. */
  readonly extended?: Readonly<Record<string, number>>;
}

export interface AppTemplate {
  readonly name: string;
  readonly namespace: string;
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  readonly replicas: number;
  readonly containers: readonly ContainerTemplate[];
  /** Architectures the image manifests provide: a pod on another arch fails with "exec format error". */
  readonly imageArchs: readonly Arch[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Only on clusters whose profile has an accelerator. */
  readonly needsAccelerator?: boolean;
  /** Extra copies may be added to reach the pods-per-node target. */
  readonly scalable?: boolean;
}

const BOTH: readonly Arch[] = ['amd64', 'arm64'];
const HARBOR = 'harbor.gz.gov.cn';

export const APPS: readonly AppTemplate[] = [
  {
    name: 'kube-proxy',
    namespace: 'kube-system',
    kind: 'DaemonSet',
    replicas: 0,
    imageArchs: BOTH,
    containers: [
      { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.28.3', cpuMillis: 100, memoryMi: 64 },
    ],
  },
  {
    name: 'calico-node',
    namespace: 'kube-system',
    kind: 'DaemonSet',
    replicas: 0,
    imageArchs: BOTH,
    containers: [
      { name: 'calico-node', image: 'docker.io/calico/node:v3.26.1', cpuMillis: 250, memoryMi: 256 },
    ],
  },
  {
    name: 'node-exporter',
    namespace: 'monitoring',
    kind: 'DaemonSet',
    replicas: 0,
    imageArchs: BOTH,
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.6.1',
        cpuMillis: 100,
        memoryMi: 180,
        cpuLimitMillis: 250,
        memoryLimitMi: 180,
        port: 9100,
      },
    ],
  },
  {
    name: 'coredns',
    namespace: 'kube-system',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: BOTH,
    containers: [
      {
        name: 'coredns',
        image: 'registry.k8s.io/coredns/coredns:v1.10.1',
        cpuMillis: 100,
        memoryMi: 70,
        memoryLimitMi: 170,
        port: 53,
      },
    ],
  },
  {
    name: 'prometheus-k8s',
    namespace: 'monitoring',
    kind: 'StatefulSet',
    replicas: 1,
    imageArchs: BOTH,
    containers: [
      {
        name: 'prometheus',
        image: 'quay.io/prometheus/prometheus:v2.47.0',
        cpuMillis: 500,
        memoryMi: 2048,
        memoryLimitMi: 4096,
        port: 9090,
      },
    ],
  },
  {
    name: 'data-exchange-api',
    namespace: 'gzdsj-data',
    kind: 'Deployment',
    replicas: 3,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'api',
        image: `${HARBOR}/dsj/data-exchange-api:3.2.0`,
        cpuMillis: 500,
        memoryMi: 1024,
        cpuLimitMillis: 2000,
        memoryLimitMi: 2048,
        port: 8080,
      },
    ],
  },
  {
    // Built for amd64 only and not pinned to it: on arm64 nodes it crash-loops with "exec format error".
    name: 'etl-worker',
    namespace: 'gzdsj-data',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: ['amd64'],
    containers: [
      {
        name: 'etl-worker',
        image: `${HARBOR}/dsj/etl-worker:2.3.1`,
        cpuMillis: 1000,
        memoryMi: 2048,
        cpuLimitMillis: 2000,
        memoryLimitMi: 4096,
      },
    ],
  },
  {
    name: 'redis',
    namespace: 'gzdsj-data',
    kind: 'StatefulSet',
    replicas: 3,
    imageArchs: BOTH,
    containers: [
      {
        name: 'redis',
        image: 'docker.io/library/redis:6.2.14',
        cpuMillis: 250,
        memoryMi: 512,
        cpuLimitMillis: 1000,
        memoryLimitMi: 1024,
        port: 6379,
      },
    ],
  },
  {
    name: 'ascend-inference',
    namespace: 'gzdsj-data',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: ['arm64'],
    needsAccelerator: true,
    nodeSelector: { accelerator: 'huawei-Ascend910' },
    containers: [
      {
        name: 'inference',
        image: `${HARBOR}/ai/mindie-inference:1.0.RC2`,
        cpuMillis: 8000,
        memoryMi: 65536,
        cpuLimitMillis: 16000,
        memoryLimitMi: 131072,
        port: 8000,
        extended: { 'huawei.com/Ascend910': 8 },
      },
    ],
  },
  {
    name: 'gov-portal-web',
    namespace: 'gzdsj-portal',
    kind: 'Deployment',
    replicas: 3,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'nginx',
        image: 'docker.io/library/nginx:1.24.0',
        cpuMillis: 100,
        memoryMi: 128,
        cpuLimitMillis: 500,
        memoryLimitMi: 256,
        port: 80,
      },
    ],
  },
  {
    name: 'gov-portal-api',
    namespace: 'gzdsj-portal',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'api',
        image: `${HARBOR}/portal/gov-portal-api:5.1.4`,
        cpuMillis: 500,
        memoryMi: 1024,
        cpuLimitMillis: 1000,
        memoryLimitMi: 2048,
        port: 8080,
      },
      { name: 'filebeat', image: 'docker.elastic.co/beats/filebeat:7.17.13', cpuMillis: 50, memoryMi: 100 },
    ],
  },
  {
    name: 'case-mgmt-api',
    namespace: 'gzgat-app',
    kind: 'Deployment',
    replicas: 3,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'api',
        image: `${HARBOR}/gat/case-mgmt-api:2.8.0`,
        cpuMillis: 1000,
        memoryMi: 2048,
        cpuLimitMillis: 2000,
        memoryLimitMi: 4096,
        port: 8443,
      },
    ],
  },
  {
    name: 'video-gateway',
    namespace: 'gzgat-app',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'gateway',
        image: `${HARBOR}/gat/video-gateway:1.4.2`,
        cpuMillis: 2000,
        memoryMi: 4096,
        cpuLimitMillis: 4000,
        memoryLimitMi: 8192,
        port: 554,
      },
    ],
  },
  {
    name: 'mysql',
    namespace: 'gzgat-app',
    kind: 'StatefulSet',
    replicas: 2,
    imageArchs: BOTH,
    containers: [
      {
        name: 'mysql',
        image: 'docker.io/library/mysql:8.0.34',
        cpuMillis: 2000,
        memoryMi: 8192,
        cpuLimitMillis: 4000,
        memoryLimitMi: 8192,
        port: 3306,
      },
    ],
  },
  {
    name: 'health-code-api',
    namespace: 'gzwjw-health',
    kind: 'Deployment',
    replicas: 4,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'api',
        image: `${HARBOR}/wjw/health-code-api:4.0.7`,
        cpuMillis: 500,
        memoryMi: 1024,
        cpuLimitMillis: 1000,
        memoryLimitMi: 2048,
        port: 8080,
      },
    ],
  },
  {
    name: 'hospital-sync',
    namespace: 'gzwjw-health',
    kind: 'Deployment',
    replicas: 2,
    imageArchs: BOTH,
    scalable: true,
    containers: [
      {
        name: 'sync',
        image: `${HARBOR}/wjw/hospital-sync:1.9.3`,
        cpuMillis: 250,
        memoryMi: 512,
        cpuLimitMillis: 500,
        memoryLimitMi: 1024,
      },
    ],
  },
  {
    name: 'postgres',
    namespace: 'gzwjw-health',
    kind: 'StatefulSet',
    replicas: 2,
    imageArchs: BOTH,
    containers: [
      {
        name: 'postgres',
        image: 'docker.io/library/postgres:14.9',
        cpuMillis: 1000,
        memoryMi: 4096,
        cpuLimitMillis: 2000,
        memoryLimitMi: 4096,
        port: 5432,
      },
    ],
  },
];

const provincialCloud = {
  id: 'gz-gov-hcs',
  name: '省政务云 (华为云 Stack)',
  provider: 'huawei-cloud-stack',
  tier: 'provincial',
} as const;
const cityCloud = {
  id: 'gy-city-inspur',
  name: '市级政务云 (浪潮云)',
  provider: 'inspur-cloud',
  tier: 'city',
} as const;

/** Three clusters in two clouds: x86 (Hygon + Intel), Kunpeng with Ascend, and Phytium. */
export function defaultDemoClusters(): DemoClusterSpec[] {
  return [
    {
      id: 'gz-prod-x86',
      name: '省政务云生产集群 (x86)',
      cloud: { ...provincialCloud },
      profile: 'x86-hygon-intel',
      nodes: 6,
      podsPerNode: 12,
      tenants: ['gzdsj', 'gzgat'],
    },
    {
      id: 'gz-prod-kunpeng',
      name: '省政务云信创集群 (鲲鹏)',
      cloud: { ...provincialCloud },
      profile: 'kunpeng-kylin',
      nodes: 5,
      podsPerNode: 12,
      tenants: ['gzdsj', 'gzwjw'],
    },
    {
      id: 'gy-city-phytium',
      name: '贵阳市政务云信创集群 (飞腾)',
      cloud: { ...cityCloud },
      profile: 'phytium-uos',
      nodes: 4,
      podsPerNode: 10,
      tenants: ['gzdsj', 'gzgat', 'gzwjw'],
    },
  ];
}
