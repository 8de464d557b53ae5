/** Known-answer tests: proves Node's sm3/sm4 are the 国密 algorithms, not look-alikes. */
import { createCipheriv, createHash } from 'node:crypto';

test('SM3 of "abc" is the GB/T 32905-2016 example digest', () => {
  expect(createHash('sm3').update('abc').digest('hex')).toBe(
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
  );
});

test('SM4 encrypts the GB/T 32907-2016 example block', () => {
  const block = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  const cipher = createCipheriv('sm4-ecb', block, null).setAutoPadding(false);
  expect(Buffer.concat([cipher.update(block), cipher.final()]).toString('hex')).toBe(
    '681edf34d206965e86b3e94f536e4246',
  );
});
