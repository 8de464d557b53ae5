import { formatDateTime, fromShanghaiInput, toShanghaiInput } from '../../web/src/format/time.js';

describe('Shanghai wall-clock inputs', () => {
  test('an instant is shown on the UTC+8 clock, across the date line', () => {
    expect(toShanghaiInput('2026-11-23T17:30:00.000Z')).toBe('2026-11-24T01:30');
  });

  test('a wall-clock value names the instant 8 hours earlier in UTC', () => {
    expect(fromShanghaiInput('2026-11-24T01:30')).toBe('2026-11-23T17:30:00.000Z');
    expect(fromShanghaiInput('2026-11-24T01:30:15')).toBe('2026-11-23T17:30:15.000Z');
  });

  test('agrees with the Asia/Shanghai time zone the tables use', () => {
    const iso = fromShanghaiInput('2026-07-01T09:05')!;
    expect(formatDateTime(iso, 'en-GB')).toBe('01/07/2026, 09:05:00');
  });

  test.each(['', 'yesterday', '2026-11-24', '2026-13-40T25:00', '2026-11-24T01:30Z'])(
    '%j is not a wall-clock time',
    (value) => {
      expect(fromShanghaiInput(value)).toBeUndefined();
    },
  );

  test('a value that is not a time gives an empty input', () => {
    expect(toShanghaiInput('not a time')).toBe('');
  });
});
