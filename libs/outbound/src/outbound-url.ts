import { DomainError } from '@mooring/platform';
import { classifyAddress, isIpLiteral, type AddressPolicy } from './address-policy.js';

/** Per request: what the tenant allowed on top of the process-wide address policy. */
export interface RequestPolicy {
  /** Plain http is refused unless the organization explicitly allowed it (`allowHttpHosts`). */
  readonly allowHttp: boolean;
}

export type OutboundPolicy = RequestPolicy & AddressPolicy;

export type HostRefusal = 'invalid_url' | 'scheme' | 'userinfo' | 'forbidden_name' | 'forbidden_address' | 'too_many_redirects';

// Names that only mean something inside a network (RFC 6761, 6762, 8375) or that cloud providers
// reserve for their metadata services. They are refused before any DNS lookup.
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'home.arpa', 'in-addr.arpa', 'ip6.arpa'];
const INTERNAL_NAMES = new Set(['metadata.goog', 'metadata', 'instance-data']);

export function hostNotAllowed(
  target: string,
  reason: HostRefusal,
  detail: string,
  extra: Record<string, unknown> = {},
): DomainError {
  return new DomainError('HOST_NOT_ALLOWED', `The host ${target} is not allowed: ${detail}`, {
    host: target,
    reason,
    ...extra,
  });
}

/** `scheme://host:port` of a URL: what errors may show (never its user-info, path or query). */
export function describeTarget(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * The syntactic half of the SSRF guard, run on every URL before a request and on every redirect
 * hop: https (or http when allowed), no user-info, no internal names, and no forbidden IP literal.
 * WHATWG URL parsing (the parser undici uses for the request itself) has already turned decimal,
 * octal, hex and short IPv4 spellings and percent-encoded or full-width digits into dotted
 * decimal, so `http://2130706433` arrives here as 127.0.0.1 and is refused as loopback.
 */
export function checkOutboundUrl(input: string | URL, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw hostNotAllowed('(unparseable)', 'invalid_url', 'it is not a valid absolute URL');
  }
  const target = describeTarget(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    const detail =
      url.protocol === 'http:'
        ? 'plain http is refused unless the organization allows http hosts (allowHttpHosts)'
        : `only https URLs are allowed, not ${url.protocol}`;
    throw hostNotAllowed(target, 'scheme', detail);
  }
  if (url.username || url.password) {
    throw hostNotAllowed(target, 'userinfo', 'URLs with user-info (user@host) are refused');
  }
  const host = bareHost(url);
  if (!host) throw hostNotAllowed(target, 'invalid_url', 'the URL has no host');
  if (isIpLiteral(host)) {
    assertAddressAllowed(target, host, policy);
    return url;
  }
  const name = host.replace(/\.$/, '').toLowerCase();
  const internal =
    !name.includes('.') ||
    INTERNAL_NAMES.has(name) ||
    INTERNAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (internal) {
    throw hostNotAllowed(target, 'forbidden_name', 'internal and single-label host names are refused');
  }
  return url;
}

export function assertAddressAllowed(target: string, address: string, policy: AddressPolicy): void {
  const verdict = classifyAddress(address, policy);
  if (!verdict.allowed) {
    throw hostNotAllowed(target, 'forbidden_address', `it points to a ${verdict.range} address, which is refused`, {
      range: verdict.range,
    });
  }
}

/** The URL's host without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
