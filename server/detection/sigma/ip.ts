/** IPv4/IPv6 parsing and prefix tests for the Sigma `cidr` modifier. */

/** 4 bytes for IPv4, 16 for IPv6; undefined when `text` is not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  return parseIpv4(text) ?? parseIpv6(text.replace(/%.*$/, '')); // drop a zone id such as `%eth0`
}

function parseIpv4(text: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!v4) return undefined;
  const bytes = v4.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? Uint8Array.from(bytes) : undefined;
}

function parseGroups(part: string): number[] | undefined {
  if (part === '') return [];
  const groups: number[] = [];
  const pieces = part.split(':');
  for (const [i, piece] of pieces.entries()) {
    if (i === pieces.length - 1 && piece.includes('.')) {
      // Only IPv4 may end an IPv6 address (`::ffff:10.0.0.1`); anything else with a dot is not an address.
      const v4 = parseIpv4(piece);
      if (!v4) return undefined;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

export interface Network {
  bytes: Uint8Array;
  prefix: number;
}

export function parseCidr(text: string): Network | undefined {
  const [addr = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const prefix = prefixText === undefined ? max : /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
  return prefix >= 0 && prefix <= max ? { bytes, prefix } : undefined;
}

export function inNetwork(address: Uint8Array, net: Network): boolean {
  let addr = address;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 host it wraps.
  if (net.bytes.length === 4 && addr.length === 16 && addr.subarray(0, 10).every((b) => b === 0)) {
    if (addr[10] === 0xff && addr[11] === 0xff) addr = addr.subarray(12);
  }
  if (addr.length !== net.bytes.length) return false;
  const whole = net.prefix >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== net.bytes[i]) return false;
  const rest = net.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[whole]! & mask) === (net.bytes[whole]! & mask);
}
