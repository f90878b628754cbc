import type { ResolvedAddress, Resolver } from '@mooring/outbound';

/** A public address standing in for "the internet" in fake DNS answers (one of GitHub's). */
export const PUBLIC_ADDRESS = '140.82.112.3';

/**
 * A DNS zone for tests: names under `attacker.test` resolve the way an attacker would set them up.
 * Unknown names fail like NXDOMAIN. `answers` may be a function to change the answer per lookup.
 */
export function fakeZone(extra: Record<string, string[] | (() => string[])> = {}): Resolver & { lookups: string[] } {
  const zone: Record<string, string[] | (() => string[])> = {
    'internal.attacker.test': ['10.0.0.7'],
    'metadata.attacker.test': ['169.254.169.254'],
    'mixed.attacker.test': [PUBLIC_ADDRESS, '10.0.0.1'],
    'ula.attacker.test': ['fd00:ec2::254'],
    'mapped.attacker.test': ['::ffff:127.0.0.1'],
    'loopback.attacker.test': ['127.0.0.1'],
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'nat64.attacker.test': ['64:ff9b::a9fe:a9fe'],
    'cgnat.attacker.test': ['100.64.1.1'],
    'linklocal6.attacker.test': ['fe80::1'],
    'public.tool.test': [PUBLIC_ADDRESS],
    ...extra,
  };
  const lookups: string[] = [];
  const resolver = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    lookups.push(hostname);
    const entry = zone[hostname.replace(/\.$/, '').toLowerCase()];
    if (!entry) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const addresses = typeof entry === 'function' ? entry() : entry;
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const));
  };
  return Object.assign(resolver, { lookups });
}

/**
 * Host values an attacker might save as a tool's host, each of which must be refused (422
 * HOST_NOT_ALLOWED) when saved and when connected to. Names under attacker.test need `fakeZone`.
 */
export const HOSTILE_HOSTS: ReadonlyArray<readonly [description: string, host: string]> = [
  ['a private address', 'https://10.0.0.5'],
  ['loopback', 'https://127.0.0.1'],
  ['loopback elsewhere in 127/8', 'https://127.8.9.10'],
  ['localhost', 'https://localhost'],
  ['localhost with a trailing dot', 'https://localhost.'],
  ['localhost in capitals', 'https://LOCALHOST'],
  ['a subdomain of localhost', 'https://api.localhost'],
  ['loopback as a decimal number', 'https://2130706433'],
  ['loopback in hex', 'https://0x7f000001'],
  ['loopback in octal', 'https://0177.0.0.1'],
  ['loopback with a hex first part', 'https://0x7f.0.0.1'],
  ['loopback, short form 127.1', 'https://127.1'],
  ['loopback, short form 127.0.1', 'https://127.0.1'],
  ['loopback, percent-encoded', 'https://%31%32%37.0.0.1'],
  ['loopback in full-width digits', 'https://１２７.０.０.１'],
  ['the unspecified address', 'https://0.0.0.0'],
  ['zero', 'https://0'],
  ['IPv6 loopback', 'https://[::1]'],
  ['IPv6 unspecified', 'https://[::]'],
  ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]'],
  ['IPv4-mapped loopback in hex', 'https://[::ffff:7f00:1]'],
  ['IPv4-mapped loopback, long form', 'https://[0:0:0:0:0:ffff:127.0.0.1]'],
  ['IPv4-mapped metadata', 'https://[::ffff:a9fe:a9fe]'],
  ['IPv4-mapped private', 'https://[::ffff:10.0.0.5]'],
  ['IPv4-compatible loopback', 'https://[::127.0.0.1]'],
  ['NAT64 metadata', 'https://[64:ff9b::a9fe:a9fe]'],
  ['6to4 of loopback', 'https://[2002:7f00:1::1]'],
  ['AWS metadata', 'https://169.254.169.254'],
  ['AWS metadata in decimal', 'https://2852039166'],
  ['AWS metadata in hex', 'https://0xa9fea9fe'],
  ['AWS metadata in octal', 'https://0251.0376.0251.0376'],
  ['AWS metadata over IPv6', 'https://[fd00:ec2::254]'],
  ['GCP metadata by name', 'https://metadata.google.internal'],
  ['GCP metadata short name', 'https://metadata.goog'],
  ['an .internal name', 'https://git.corp.internal'],
  ['an mDNS .local name', 'https://printer.local'],
  ['a single-label name', 'https://gitlab'],
  ['private 10/8, decimal', 'https://167772165'],
  ['private 10/8, octal', 'https://012.0.0.5'],
  ['private 10/8, hex first part', 'https://0x0a.0.0.5'],
  ['private 172.16/12', 'https://172.16.0.1'],
  ['private 172.16/12, top', 'https://172.31.255.254'],
  ['private 192.168/16', 'https://192.168.1.1'],
  ['CGNAT 100.64/10', 'https://100.64.0.1'],
  ['CGNAT 100.64/10, top', 'https://100.127.255.254'],
  ['link-local 169.254/16', 'https://169.254.10.20'],
  ['unique-local fc00::/7', 'https://[fc00::1]'],
  ['link-local fe80::/10', 'https://[fe80::1]'],
  ['IPv6 multicast', 'https://[ff02::1]'],
  ['IPv4 multicast', 'https://224.0.0.1'],
  ['broadcast', 'https://255.255.255.255'],
  ['reserved 240/4', 'https://240.0.0.1'],
  ['benchmarking 198.18/15', 'https://198.18.0.1'],
  ['IPv6 documentation range', 'https://[2001:db8::1]'],
  ['user-info before a private host', 'https://github.com@10.0.0.5'],
  ['user-info with a password', 'https://github.com:443@127.0.0.1'],
  ['user-info alone', 'https://user:pass@github.com'],
  ['a backslash trick', 'https://10.0.0.5\\@github.com'],
  ['a fragment trick', 'https://127.0.0.1#@github.com'],
  ['plain http', 'http://github.com'],
  ['ftp', 'ftp://github.com'],
  ['file', 'file:///etc/passwd'],
  ['gopher to Redis', 'gopher://127.0.0.1:6379/_INFO'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['not a URL', 'not a url'],
  ['a name resolving to a private address', 'https://internal.attacker.test'],
  ['a name resolving to metadata', 'https://metadata.attacker.test'],
  ['a name with one private address among public ones', 'https://mixed.attacker.test'],
  ['a name resolving to unique-local IPv6', 'https://ula.attacker.test'],
  ['a name resolving to an IPv4-mapped address', 'https://mapped.attacker.test'],
  ['a name resolving to loopback', 'https://loopback.attacker.test'],
  ['a nip.io-style loopback name', 'https://127.0.0.1.nip.io'],
  ['a name resolving to NAT64 metadata', 'https://nat64.attacker.test'],
  ['a name resolving to CGNAT', 'https://cgnat.attacker.test'],
  ['a name resolving to IPv6 link-local', 'https://linklocal6.attacker.test'],
];
