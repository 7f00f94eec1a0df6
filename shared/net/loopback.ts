import { BlockList, isIP } from 'node:net';

// node:net parses the address to its bytes, so every spelling of one address agrees: ::1 and
// 0:0:0:0:0:0:0:1, ::ffff:127.0.0.1 and ::ffff:7f00:1 (IPv4-mapped addresses match IPv4 rules).
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when a NUMERIC address is this machine: 127.0.0.0/8, ::1, and IPv4-mapped 127.x in any spelling.
 * For socket peers (`req.socket.remoteAddress`): who may use the local admin token. Names, octal or
 * short forms (`0177.0.0.1`, `127.1`), `127.0.0.1.evil.com` and zone ids are not addresses: false.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True for a host a service may listen on, or send a token to, without TLS: a loopback address (also
 * in URL brackets, `[::1]`) or the name `localhost`. Any other name is false, whatever it resolves to
 * today: DNS is the attacker's to change.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isLoopbackAddress(bare);
}
