import type { CachedResponse, IntegrationConnection, ResponseCache } from '../../integration-definition.js';

/**
 * A connection for tests and benchmarks of an integration's own code: plain fetch (fakes listen on
 * loopback, which production's guarded fetch refuses), a fixed token, and whatever else the test
 * gives (a response cache, a shared cap, a signal, `itemFailed`).
 */
export function testConnection(
  settings: Readonly<Record<string, string>>,
  token: string,
  extra: Partial<Omit<IntegrationConnection, 'settings' | 'accessToken'>> = {},
): IntegrationConnection {
  return {
    settings,
    accessToken: () => Promise.resolve(token),
    fetch: (url, init) => fetch(url, init),
    signal: new AbortController().signal,
    runKey: {},
    ...extra,
  };
}

/** An installation's response cache held in memory, with what was put in it. */
export function memoryResponseCache(): ResponseCache & { readonly entries: Map<string, CachedResponse> } {
  const entries = new Map<string, CachedResponse>();
  return {
    entries,
    get: (url) => Promise.resolve(entries.get(url)),
    put: (url, response) => Promise.resolve(void entries.set(url, response)),
  };
}
