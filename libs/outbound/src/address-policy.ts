import ipaddr from 'ipaddr.js';

/** What Mooring may connect to on behalf of a tenant. */
export interface AddressPolicy {
  /**
   * Loopback (127.0.0.0/8, ::1) is normally refused like every other internal range; tests turn it
   * on, through UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS, to reach their fakes on 127.0.0.1.
   */
  readonly allowLoopback: boolean;
}

export type AddressVerdict = { readonly allowed: true } | { readonly allowed: false; readonly range: string };

// Global unicast IPv6 space. Everything outside it (IPv4-compatible ::a.b.c.d, site-local, ...) is
// refused even when ipaddr.js has no special name for it.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Only public unicast addresses pass: no loopback, private, link-local (cloud metadata
 * 169.254.169.254), CGNAT, unique-local (fd00:ec2::254), multicast, reserved or documentation
 * ranges, and no IPv6 form that embeds an IPv4 address (mapped, NAT64, 6to4, Teredo), because the
 * embedded address could be any of the above. Range names come from ipaddr.js (IANA registries).
 */
export function classifyAddress(address: string, policy: AddressPolicy): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'not_an_address' };
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  if (range === 'loopback' && policy.allowLoopback) return { allowed: true };
  if (range !== 'unicast') return { allowed: false, range };
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return { allowed: false, range: 'non_global_ipv6' };
  return { allowed: true };
}

/** Whether `host` is an IP literal (dotted IPv4 or IPv6, without brackets). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host);
}
