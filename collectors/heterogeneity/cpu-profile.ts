/**
 * CPU vendor / family / model of a node, for telling a Kunpeng node from a Phytium one and a Hygon
 * from an Intel. Sources, most trusted first (docs/heterogeneity.md has the tables and their origins):
 * 1. node-feature-discovery `feature.node.kubernetes.io/cpu-model.{vendor_id,family,id}` when they
 *    name the vendor (x86 CPUID vendors);
 * 2. what the Yunshu node agent writes from /proc/cpuinfo and lscpu (AGENT_KEYS, as annotations or labels);
 * 3. inference: the arm64 MIDR part number NFD does report without a vendor, x86 family 7 without a
 *    vendor, and the architecture itself for LoongArch (Loongson only) and SW64 (Sunway only).
 * Anything else is `unknown`: a guess is never reported as an identification.
 */
import type { V1Node } from '@kubernetes/client-node';
import { toArch, type Arch, type CpuVendor } from '../../server/model/index.js';

export type CpuSource = 'nfd-label' | 'agent-annotation' | 'heuristic' | 'unknown';

export interface CpuProfile {
  vendor: CpuVendor;
  family?: string;
  model?: string;
  /** Where the vendor/family came from; the Node model has no field for it yet. */
  source: CpuSource;
}

const NFD = 'feature.node.kubernetes.io/cpu-model.';
export const AGENT_KEYS = {
  vendorId: 'yunshu.io/cpu-vendor-id',
  family: 'yunshu.io/cpu-family',
  implementer: 'yunshu.io/cpu-implementer',
  part: 'yunshu.io/cpu-part',
  modelName: 'yunshu.io/cpu-model-name',
} as const;

interface Identification {
  vendor: CpuVendor;
  family?: string;
  model?: string;
}

interface ArmPart {
  core: string;
  family?: string;
}

/**
 * ARM MIDR implementer → parts. Core names from util-linux lscpu-arm.c; families from the Phytium
 * and Kylin kernel sources (FTC663 is shared by FT-2000/4, D2000 and S2500, so the part alone
 * cannot tell them apart: the model name, when the agent reports it, does).
 */
const ARM_IMPLEMENTERS: Readonly<
  Record<number, { vendor: CpuVendor; parts: Readonly<Record<number, ArmPart>> }>
> = {
  0x48: { vendor: 'kunpeng', parts: { 0xd01: { core: 'TSV110', family: 'Kunpeng 920' } } },
  0x70: {
    vendor: 'phytium',
    parts: {
      0x660: { core: 'FTC660', family: 'FT-1500A' },
      0x661: { core: 'FTC661', family: 'FT-2000A/2' },
      0x662: { core: 'FTC662', family: 'FT-2000+/64' },
      0x663: { core: 'FTC663', family: 'FT-2000/4, D2000 or S2500' },
    },
  },
};

/** Implementers the model has no vendor for, named as lscpu names them (vendor `other`). */
const OTHER_ARM_IMPLEMENTERS: Readonly<Record<number, string>> = {
  0x41: 'ARM',
  0x46: 'Fujitsu',
  0x4e: 'NVIDIA',
  0x51: 'Qualcomm',
  0x61: 'Apple',
  0xc0: 'Ampere',
};

/** Model-name patterns (lscpu / DMI / /proc/cpuinfo) that pin down the family. */
const FAMILY_FROM_NAME: readonly (readonly [RegExp, CpuVendor, (m: RegExpExecArray) => string])[] = [
  [/kunpeng[\s-]?(\d+)/i, 'kunpeng', (m) => `Kunpeng ${m[1]}`],
  [/\bS2500\b/i, 'phytium', () => 'S2500'],
  [/\bS5000C?\b/i, 'phytium', () => 'S5000C'],
  [/\bD2000\b/i, 'phytium', () => 'D2000'],
  [/\bD3000\b/i, 'phytium', () => 'D3000'],
  [/\bE2000\b/i, 'phytium', () => 'E2000'],
  [/FT-?2000\+/i, 'phytium', () => 'FT-2000+/64'],
  [/FT-?2000\/4/i, 'phytium', () => 'FT-2000/4'],
  [/FT-?1500A/i, 'phytium', () => 'FT-1500A'],
  [/hygon\s+(C86)/i, 'hygon', (m) => `Hygon ${m[1]}`],
  [/\b(K[XH]-[\w-]+)/i, 'zhaoxin', (m) => m[1] ?? ''],
  [/loongson-?(\w+)/i, 'loongson', (m) => `Loongson ${m[1]}`],
  [/\b(xeon|core|atom|pentium|celeron)\b/i, 'intel', (m) => `Intel ${m[1]}`],
  [/\b(epyc|ryzen|opteron)\b/i, 'amd', (m) => `AMD ${m[1]}`],
];

function familyFromName(vendor: CpuVendor, modelName: string | undefined): string | undefined {
  if (!modelName) return undefined;
  for (const [pattern, forVendor, family] of FAMILY_FROM_NAME) {
    const match = pattern.exec(modelName);
    if (match && forVendor === vendor) return family(match);
  }
  return undefined;
}

/** x86 CPUID vendor strings (raw, as in /proc/cpuinfo) and the names NFD's cpuid library prints. */
function x86Vendor(vendorId: string, family: number | undefined): Identification | undefined {
  switch (vendorId.trim().toLowerCase()) {
    case 'genuineintel':
    case 'intel':
      return { vendor: 'intel' };
    case 'authenticamd':
    case 'amd':
      return { vendor: 'amd' };
    case 'hygongenuine':
    case 'hygon':
      return {
        vendor: 'hygon',
        family: family === undefined || family === 0x18 ? 'Hygon C86 (Dhyana)' : undefined,
      };
    case 'shanghai': // "  Shanghai  "
    case 'zhaoxin':
      return { vendor: 'zhaoxin' };
    case 'centaurhauls':
    case 'via':
      // Linux handles CentaurHauls families 6 and 7 alike; only Zhaoxin parts are family 7.
      return family === 7
        ? { vendor: 'zhaoxin' }
        : { vendor: 'other', family: 'Centaur (VIA or early Zhaoxin)' };
    default:
      return undefined;
  }
}

function armPart(implementer: number, part: number | undefined): Identification | undefined {
  const known = ARM_IMPLEMENTERS[implementer];
  if (known) {
    const entry = part === undefined ? undefined : known.parts[part];
    return {
      vendor: known.vendor,
      family: entry?.family,
      model: entry?.core ?? (part === undefined ? undefined : `part 0x${part.toString(16)}`),
    };
  }
  const other = OTHER_ARM_IMPLEMENTERS[implementer];
  return other ? { vendor: 'other', family: other } : undefined;
}

const parseNumber = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim()); // Number() reads both "72" and "0x48"
  return Number.isInteger(n) ? n : undefined;
};

/** With the model name: the family it names wins over a part shared by several chips. */
function withName(id: Identification, modelName: string | undefined): Identification {
  const named = familyFromName(id.vendor, modelName);
  return { ...id, family: named ?? id.family, model: modelName ?? id.model };
}

function fromNfd(labels: Readonly<Record<string, string>>, arch: Arch): Identification | undefined {
  const vendorId = labels[`${NFD}vendor_id`];
  if (!vendorId || arch !== 'amd64') return undefined;
  return x86Vendor(vendorId, parseNumber(labels[`${NFD}family`]));
}

function fromAgent(meta: Readonly<Record<string, string>>): Identification | undefined {
  const modelName = meta[AGENT_KEYS.modelName]?.trim() || undefined;
  const implementer = parseNumber(meta[AGENT_KEYS.implementer]);
  const vendorId = meta[AGENT_KEYS.vendorId];
  const id =
    implementer !== undefined
      ? armPart(implementer, parseNumber(meta[AGENT_KEYS.part]))
      : vendorId
        ? x86Vendor(vendorId, parseNumber(meta[AGENT_KEYS.family]))
        : undefined;
  return id && withName(id, modelName);
}

function inferred(labels: Readonly<Record<string, string>>, arch: Arch): Identification | undefined {
  if (arch === 'loong64') return { vendor: 'loongson', family: 'LoongArch' };
  if (arch === 'sw64') return { vendor: 'sunway', family: 'SW64' };
  const vendorId = labels[`${NFD}vendor_id`];
  const id = parseNumber(labels[`${NFD}id`]);
  // NFD's cpuid library names no vendor for HiSilicon or Phytium on arm64 ("VendorUnknown") but
  // reports MIDR[15:0] as the model id, so the part number survives: a 0xd01 or 0x66x part without
  // an Arm-recognised implementer is, in practice, HiSilicon or Phytium — likely, not certain.
  if (arch === 'arm64' && vendorId === 'VendorUnknown' && id !== undefined) {
    const part = id >> 4;
    for (const implementer of [0x48, 0x70]) {
      if (ARM_IMPLEMENTERS[implementer]?.parts[part]) return armPart(implementer, part);
    }
  }
  // x86 family 7 is only ever Centaur/Zhaoxin silicon; Zhaoxin's "  Shanghai  " is unknown to NFD.
  if (arch === 'amd64' && vendorId === 'VendorUnknown' && parseNumber(labels[`${NFD}family`]) === 7) {
    return { vendor: 'zhaoxin' };
  }
  return undefined;
}

const KERNEL_ARCH_SUFFIX = /\.(x86_64|aarch64|loongarch64|sw_64)$/;

/** The node's CPU identification and where it came from. */
export function cpuProfileOf(node: Pick<V1Node, 'metadata' | 'status'>): CpuProfile {
  const labels = node.metadata?.labels ?? {};
  const meta = { ...labels, ...node.metadata?.annotations };
  const info = node.status?.nodeInfo;
  let arch = toArch(info?.architecture ?? '');
  if (arch === 'other') arch = toArch(KERNEL_ARCH_SUFFIX.exec(info?.kernelVersion ?? '')?.[1] ?? '');

  const agentModelName = meta[AGENT_KEYS.modelName]?.trim() || undefined;
  const nfd = fromNfd(labels, arch);
  if (nfd) return { ...withName(nfd, agentModelName), source: 'nfd-label' };
  const agent = fromAgent(meta);
  if (agent) return { ...agent, source: 'agent-annotation' };
  const guess = inferred(labels, arch);
  if (guess) return { ...withName(guess, agentModelName), source: 'heuristic' };
  return { vendor: 'unknown', source: 'unknown' };
}
