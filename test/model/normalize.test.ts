import { osFamilyOf, parseQuantity, toArch } from '../../server/model/index.js';
import { NodeSchema, collections } from '../../server/model/index.js';
import { fieldAt, isScalar } from './shape.js';

describe('parseQuantity', () => {
  test.each([
    ['4', 1e-3, 4000],
    ['100m', 1e-3, 100],
    ['1.5', 1e-3, 1500],
    ['0.7', 1e-3, 700],
    ['250000u', 1e-3, 250],
    ['1n', 1e-3, 1], // rounds up, like Kubernetes ScaledValue
    ['8163684Ki', 1, 8_163_684 * 1024],
    ['170Mi', 1, 170 * 2 ** 20],
    ['1.5Gi', 1, 1.5 * 2 ** 30],
    ['2G', 1, 2e9],
    ['129e6', 1, 129_000_000],
    ['110', 1, 110],
  ])('%s in units of %d is %d', (quantity, unit, expected) => {
    expect(parseQuantity(quantity, unit)).toBe(expected);
  });

  test.each(['', '1.5 Gi', '1Kb', 'ten', '1e', 'Mi'])('rejects %j', (quantity) => {
    expect(() => parseQuantity(quantity)).toThrow(RangeError);
  });
});

describe('toArch', () => {
  test.each([
    ['amd64', 'amd64'],
    ['x86_64', 'amd64'],
    ['arm64', 'arm64'],
    ['aarch64', 'arm64'],
    ['loong64', 'loong64'],
    ['loongarch64', 'loong64'],
    ['sw_64', 'sw64'],
    ['mips64le', 'other'],
    ['riscv64', 'other'],
  ])('%s → %s', (reported, arch) => {
    expect(toArch(reported)).toBe(arch);
  });
});

describe('osFamilyOf', () => {
  test.each([
    ['Kylin Linux Advanced Server V10 (Sword)', 'kylin'],
    ['Kylin Linux Advanced Server V10 (Halberd)', 'kylin'],
    ['UnionTech OS Server 20', 'uos'],
    ['openEuler 22.03 (LTS-SP1)', 'openeuler'],
    ['Anolis OS 8.8', 'anolis'],
    ['CentOS Linux 7 (Core)', 'centos'],
    ['Ubuntu 22.04.3 LTS', 'ubuntu'],
    ['Debian GNU/Linux 12 (bookworm)', 'debian'],
    ['Red Hat Enterprise Linux 9.2 (Plow)', 'rhel'],
    ['Buildroot 2019.02.7', 'other'],
    ['Amazon Linux 2', 'other'],
  ])('%s → %s', (osImage, family) => {
    expect(osFamilyOf(osImage)).toBe(family);
  });
});

describe('shape walker (used by the registry checks)', () => {
  test('finds nested fields and tells whether they are always present', () => {
    expect(fieldAt(NodeSchema, 'cpu.vendor')?.alwaysPresent).toBe(true); // defaulted
    expect(fieldAt(NodeSchema, 'internalIp')?.alwaysPresent).toBe(false);
    expect(fieldAt(collections.alerts.schema, 'k8s.clusterId')?.alwaysPresent).toBe(false); // k8s is optional
    expect(fieldAt(NodeSchema, 'cpu.nope')).toBeUndefined();
    expect(fieldAt(NodeSchema, 'name.length')).toBeUndefined();
  });

  test('tells scalars from arrays and objects', () => {
    expect(isScalar(fieldAt(NodeSchema, 'internalIp')?.schema ?? NodeSchema)).toBe(true); // ipv4 | ipv6
    expect(isScalar(fieldAt(NodeSchema, 'arch')?.schema ?? NodeSchema)).toBe(true);
    expect(isScalar(fieldAt(NodeSchema, 'taints')?.schema ?? NodeSchema)).toBe(false);
    expect(isScalar(fieldAt(NodeSchema, 'labels')?.schema ?? NodeSchema)).toBe(false);
    expect(isScalar(fieldAt(NodeSchema, 'cpu')?.schema ?? NodeSchema)).toBe(false);
  });
});
