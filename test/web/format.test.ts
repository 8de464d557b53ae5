import { SEVERITIES } from '../../web/src/api/soc.js';
import { formatDuration, isDemoData, SEVERITY_COLOURS } from '../../web/src/soc/format.js';

describe('formatDuration', () => {
  test.each([
    [200, '3 分 20 秒', '3m 20s'],
    [0, '0 秒', '0s'],
    [0.4, '0 秒', '0s'],
    [59.6, '1 分', '1m'],
    [45, '45 秒', '45s'],
    [3_600, '1 小时', '1h'],
    [3_661, '1 小时 1 分', '1h 1m'],
    [90_061, '1 天 1 小时', '1d 1h'],
    [86_430, '1 天', '1d'],
    [8 * 86_400 + 7_200, '8 天 2 小时', '8d 2h'],
  ])('%d s is "%s" in Chinese and "%s" in English', (seconds, zh, en) => {
    expect(formatDuration(seconds, 'zh-CN')).toBe(zh);
    expect(formatDuration(seconds, 'en')).toBe(en);
  });

  test.each([Number.NaN, -1, Number.POSITIVE_INFINITY])('%d is shown as a dash, not a number', (seconds) => {
    expect(formatDuration(seconds, 'en')).toBe('—');
  });
});

describe('isDemoData', () => {
  test('an item of the demo fleet is recognised by its tenant or by any cluster id', () => {
    expect(isDemoData(['demo-tenant', undefined])).toBe(true);
    expect(isDemoData(['tenant-gzdsj', 'cluster-gz-prod-1', 'demo-arm-1'])).toBe(true);
  });

  test('real items, and ids that merely contain "demo", are not marked', () => {
    expect(isDemoData(['tenant-gzdsj', 'cluster-gz-prod-1'])).toBe(false);
    expect(isDemoData(['tenant-demo', 'cluster-demo-1', 'Demo-1'])).toBe(false);
    expect(isDemoData([undefined])).toBe(false);
    expect(isDemoData([])).toBe(false);
  });
});

test('every severity has its own badge colour', () => {
  const backgrounds = SEVERITIES.map((s) => SEVERITY_COLOURS[s].background);
  expect(new Set(backgrounds).size).toBe(SEVERITIES.length);
});
