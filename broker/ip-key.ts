// The key per-address limits count by (connection rate limit, login back-off). IPv4 and IPv4-mapped
// IPv6 (::ffff:a.b.c.d) count by address. Other IPv6 addresses count by their /64: one host or site is
// normally given a whole /64 (RFC 6177) and could otherwise rotate through 2^64 addresses to get a fresh
// allowance for every connection.
import net from 'node:net';

export function ipKey(address: string | null | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  const bare = address.split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not a host
  if (!net.isIPv6(bare)) return address;
  const [left, right] = bare.includes('::') ? bare.split('::') : [bare, null];
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  // a dotted IPv4 tail takes two 16-bit groups
  const tailGroups = tail.length + (tail.at(-1)?.includes('.') ? 1 : 0);
  const groups = right === null ? head : [...head, ...new Array<string>(Math.max(0, 8 - head.length - tailGroups)).fill('0'), ...tail];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
