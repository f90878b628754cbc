export { classifyAddress, isIpLiteral, type AddressPolicy, type AddressVerdict } from './address-policy.js';
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  OUTBOUND_OPTIONS,
  OutboundHttp,
  type GuardedFetch,
  type OutboundOptions,
} from './outbound-http.js';
export { OutboundModule } from './outbound.module.js';
export { checkOutboundUrl, describeTarget, type HostRefusal, type OutboundPolicy, type RequestPolicy } from './outbound-url.js';
export { systemResolver, type ResolvedAddress, type Resolver } from './resolver.js';
