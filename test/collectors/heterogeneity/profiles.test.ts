import type { V1Node } from '@kubernetes/client-node';
import { acceleratorsOf, cpuProfileOf, osProfileOf } from '../../../collectors/heterogeneity/index.js';
import {
  hygonNode,
  kunpengNode,
  loongsonNode,
  nodeVariant,
  phytiumNode,
  realNode,
  sunwayNode,
} from '../normalize/fixtures.js';

const NFD = 'feature.node.kubernetes.io/cpu-model.';
const node = (
  architecture: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
) =>
  nodeVariant({
    name: 'n1',
    uid: 'u1',
    architecture,
    osImage: 'x',
    kernelVersion: '5.10.0',
    labels,
    annotations,
  });
const agentArm = (implementer: string, part: string, modelName?: string) =>
  node(
    'arm64',
    {},
    {
      'yunshu.io/cpu-implementer': implementer,
      'yunshu.io/cpu-part': part,
      ...(modelName ? { 'yunshu.io/cpu-model-name': modelName } : {}),
    },
  );
const nfdX86 = (vendorId: string, family: string) =>
  node('amd64', { [`${NFD}vendor_id`]: vendorId, [`${NFD}family`]: family, [`${NFD}id`]: '1' });

describe('cpuProfileOf', () => {
  test.each<[string, () => V1Node, object]>([
    ['the real minikube node (no NFD, no agent)', realNode, { vendor: 'unknown', source: 'unknown' }],
    [
      'Kunpeng via the agent',
      kunpengNode,
      { vendor: 'kunpeng', family: 'Kunpeng 920', source: 'agent-annotation' },
    ],
    [
      'Phytium S2500 via the agent',
      phytiumNode,
      { vendor: 'phytium', family: 'S2500', source: 'agent-annotation' },
    ],
    ['Hygon via NFD', hygonNode, { vendor: 'hygon', family: 'Hygon C86', source: 'nfd-label' }],
    [
      'Loongson from the arch',
      loongsonNode,
      { vendor: 'loongson', family: 'LoongArch', source: 'heuristic' },
    ],
    ['Sunway from the arch', sunwayNode, { vendor: 'sunway', family: 'SW64', source: 'heuristic' }],
    [
      'HiSilicon 0x48/0xd01',
      () => agentArm('0x48', '0xd01'),
      { vendor: 'kunpeng', family: 'Kunpeng 920', model: 'TSV110' },
    ],
    [
      'Phytium 0x70/0x662',
      () => agentArm('0x70', '0x662'),
      { vendor: 'phytium', family: 'FT-2000+/64', model: 'FTC662' },
    ],
    [
      'Phytium 0x70/0x663 without a model name stays ambiguous',
      () => agentArm('0x70', '0x663'),
      { vendor: 'phytium', family: 'FT-2000/4, D2000 or S2500', model: 'FTC663' },
    ],
    [
      'Phytium 0x70/0x663 with the DMI name D2000/8',
      () => agentArm('0x70', '0x663', 'Phytium,D2000/8'),
      { vendor: 'phytium', family: 'D2000' },
    ],
    [
      'an unknown HiSilicon part',
      () => agentArm('0x48', '0xd02'),
      { vendor: 'kunpeng', model: 'part 0xd02' },
    ],
    ['an Arm-designed core', () => agentArm('0x41', '0xd0c'), { vendor: 'other', family: 'ARM' }],
    ['an unheard-of implementer', () => agentArm('0x99', '0x1'), { vendor: 'unknown', source: 'unknown' }],
    ['NFD GenuineIntel', () => nfdX86('GenuineIntel', '6'), { vendor: 'intel', source: 'nfd-label' }],
    ['NFD Intel (cpuid library name)', () => nfdX86('Intel', '6'), { vendor: 'intel', source: 'nfd-label' }],
    ['NFD AuthenticAMD', () => nfdX86('AuthenticAMD', '25'), { vendor: 'amd' }],
    [
      'NFD HygonGenuine',
      () => nfdX86('HygonGenuine', '24'),
      { vendor: 'hygon', family: 'Hygon C86 (Dhyana)' },
    ],
    ['NFD CentaurHauls family 7 (Zhaoxin)', () => nfdX86('CentaurHauls', '7'), { vendor: 'zhaoxin' }],
    [
      'NFD CentaurHauls family 6 is not claimed for Zhaoxin',
      () => nfdX86('VIA', '6'),
      { vendor: 'other', family: 'Centaur (VIA or early Zhaoxin)' },
    ],
    ['NFD "  Shanghai  "', () => nfdX86('  Shanghai  ', '7'), { vendor: 'zhaoxin', source: 'nfd-label' }],
    [
      'NFD VendorUnknown x86 family 7',
      () => nfdX86('VendorUnknown', '7'),
      { vendor: 'zhaoxin', source: 'heuristic' },
    ],
    [
      'NFD VendorUnknown x86 family 6',
      () => nfdX86('VendorUnknown', '6'),
      { vendor: 'unknown', source: 'unknown' },
    ],
    [
      'NFD on arm64: part 0x662 without a vendor',
      () =>
        node('arm64', {
          [`${NFD}vendor_id`]: 'VendorUnknown',
          [`${NFD}family`]: '1',
          [`${NFD}id`]: String(0x6622),
        }),
      { vendor: 'phytium', family: 'FT-2000+/64', source: 'heuristic' },
    ],
    [
      'NFD on arm64: an Arm Ltd part is left alone',
      () =>
        node('arm64', { [`${NFD}vendor_id`]: 'ARM', [`${NFD}family`]: '15', [`${NFD}id`]: String(0xd0c1) }),
      { vendor: 'unknown', source: 'unknown' },
    ],
    [
      'NFD outranks the agent',
      () =>
        node(
          'amd64',
          { [`${NFD}vendor_id`]: 'GenuineIntel', [`${NFD}family`]: '6' },
          { 'yunshu.io/cpu-vendor-id': 'HygonGenuine' },
        ),
      { vendor: 'intel', source: 'nfd-label' },
    ],
    [
      'the agent on x86, with the model name naming the family',
      () =>
        node(
          'amd64',
          {},
          {
            'yunshu.io/cpu-vendor-id': 'CentaurHauls',
            'yunshu.io/cpu-family': '7',
            'yunshu.io/cpu-model-name': 'ZHAOXIN KaiXian KX-U6780A@2.7GHz',
          },
        ),
      { vendor: 'zhaoxin', family: 'KX-U6780A', source: 'agent-annotation' },
    ],
    [
      'the arch from the kernel when nodeInfo.architecture is odd',
      () =>
        nodeVariant({
          name: 'n',
          uid: 'u',
          architecture: 'loongarch',
          osImage: 'x',
          kernelVersion: '5.4.0.loongarch64',
        }),
      { vendor: 'loongson' },
    ],
  ])('%s', (_what, make, expected) => {
    expect(cpuProfileOf(make())).toMatchObject(expected);
  });

  test('an unidentified CPU carries no family or model', () => {
    expect(cpuProfileOf(realNode())).toEqual({ vendor: 'unknown', source: 'unknown' });
  });
});

describe('osProfileOf', () => {
  test.each([
    [
      'Kylin Linux Advanced Server V10 (Tercel)',
      { family: 'kylin', version: 'V10', servicePack: 'SP1', codename: 'Tercel' },
    ],
    [
      'Kylin Linux Advanced Server V10 (Sword)',
      { family: 'kylin', version: 'V10', servicePack: 'SP2', codename: 'Sword' },
    ],
    [
      'Kylin Linux Advanced Server V10 (Lance)',
      { family: 'kylin', version: 'V10', servicePack: 'SP3', codename: 'Lance' },
    ],
    [
      'Kylin Linux Advanced Server V10 (Halberd)',
      { family: 'kylin', version: 'V10', servicePack: 'SP3', codename: 'Halberd' },
    ],
    ['Kylin Linux Advanced Server V11 (Swan25)', { family: 'kylin', version: 'V11', codename: 'Swan25' }],
    ['UnionTech OS Server 20', { family: 'uos', version: '20' }],
    ['openEuler 20.03 (LTS-SP3)', { family: 'openeuler', version: '20.03', servicePack: 'LTS-SP3' }],
    ['openEuler 22.03 LTS', { family: 'openeuler', version: '22.03', servicePack: 'LTS' }],
    ['Anolis OS 8.8', { family: 'anolis', version: '8.8' }],
    ['CentOS Linux 7 (Core)', { family: 'centos', version: '7', codename: 'Core' }],
    ['Ubuntu 22.04.3 LTS', { family: 'ubuntu', version: '22.04.3 LTS' }],
    ['Debian GNU/Linux 12 (bookworm)', { family: 'debian', version: '12', codename: 'bookworm' }],
    ['Red Hat Enterprise Linux 9.2 (Plow)', { family: 'rhel', version: '9.2', codename: 'Plow' }],
    ['Buildroot 2019.02.7', { family: 'other', version: '2019.02.7' }],
  ])('%s', (osImage, expected) => {
    expect(osProfileOf(osImage)).toMatchObject(expected);
  });

  test('Kylin code names only imply a service pack for V10', () => {
    expect(osProfileOf('Kylin Linux Advanced Server V11 (Sword)').servicePack).toBeUndefined();
  });
});

describe('acceleratorsOf', () => {
  const withCapacity = (capacity: Record<string, string>, labels: Record<string, string> = {}) =>
    nodeVariant({
      name: 'n',
      uid: 'u',
      architecture: 'amd64',
      osImage: 'x',
      kernelVersion: 'x',
      capacity,
      labels,
    });

  test('reads device counts, not their memory / core companions', () => {
    const node = withCapacity(
      {
        'huawei.com/Ascend910B': '8',
        'huawei.com/Ascend910-memory': '65536',
        'huawei.com/Ascend310P': '4',
        'nvidia.com/gpu': '2',
        'nvidia.com/gpumem': '81920',
        'nvidia.com/mig-1g.10gb': '7',
        'hygon.com/dcunum': '4',
        'hygon.com/dcumem': '65536',
        'cambricon.com/mlu370': '2',
        'amd.com/gpu': '1',
        'example.com/fpga': '1',
      },
      { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
    );
    expect(acceleratorsOf(node)).toEqual([
      { resourceName: 'amd.com/gpu', kind: 'gpu', count: 1 },
      { resourceName: 'cambricon.com/mlu370', kind: 'npu', model: 'Cambricon MLU370', count: 2 },
      { resourceName: 'huawei.com/Ascend310P', kind: 'npu', model: 'Ascend 310P', count: 4 },
      { resourceName: 'huawei.com/Ascend910B', kind: 'npu', model: 'Ascend 910B', count: 8 },
      { resourceName: 'hygon.com/dcunum', kind: 'dcu', model: 'Hygon DCU', count: 4 },
      { resourceName: 'nvidia.com/gpu', kind: 'gpu', model: 'NVIDIA-A100-SXM4-80GB', count: 2 },
      { resourceName: 'nvidia.com/mig-1g.10gb', kind: 'gpu', model: 'MIG 1g.10gb', count: 7 },
    ]);
  });

  test('skips zero and malformed counts', () => {
    expect(acceleratorsOf(withCapacity({ 'nvidia.com/gpu': '0', 'cambricon.com/mlu': 'lots' }))).toEqual([]);
    expect(acceleratorsOf(realNode())).toEqual([]);
  });
});
