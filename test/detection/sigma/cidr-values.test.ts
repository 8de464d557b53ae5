// `cidr` against event values that are not addresses: host names and other dotted text once sent
// the address parser into endless recursion (a stack overflow in detection); they must simply not match.
import { predicate } from './helpers.js';

describe('cidr on values that are not addresses', () => {
  const match = predicate("sel:\n  fd.rip|cidr: ['0.0.0.0/0', '::/0']\ncondition: sel");

  test.each(['pool.minexmr.com', '1.2.3', '1.2.3.4.5', 'a.b', '::ffff:pool.example', '10.0.0.256'])(
    '%s does not match',
    (rip) => {
      expect(match({ fd: { rip } })).toBe(false);
    },
  );

  test('an IPv4 address, plain or IPv6-mapped, still matches', () => {
    expect(match({ fd: { rip: '203.0.113.9' } })).toBe(true);
    expect(match({ fd: { rip: '::ffff:203.0.113.9' } })).toBe(true);
    expect(match({ fd: { rip: '2001:db8::1' } })).toBe(true);
  });
});
