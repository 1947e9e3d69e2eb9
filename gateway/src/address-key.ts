import { isIPv4, isIPv6 } from 'node:net';
import { sha256Hex } from './sha256.js';

/**
 * The rate-limit key of a client address: an IPv4 address as it is; an IPv6 address by its /64,
 * the least a provider hands one customer (per /128, one client owns 2^64 keys); IPv4 carried in
 * IPv6 (mapped `::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers, and NAT64's
 * `64:ff9b::a.b.c.d`) as that IPv4 address, else every IPv4 client would share one /64. Anything
 * else (what a trusted proxy's header said) is hashed, so a key never grows with what a client sends.
 */
export function addressKey(address: string): string {
  if (isIPv4(address)) return address;
  const withoutZone = address.split('%', 1)[0]!;
  if (!isIPv6(withoutZone)) return `hashed:${sha256Hex(address)}`;
  const groups = ipv6Groups(withoutZone);
  const carriesIpv4 =
    (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) ||
    (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0));
  if (carriesIpv4) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  return [...first, ...Array<number>(8 - first.length - last.length).fill(0), ...last];
}
