export function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  options?: { timeoutMs?: number; intervalMs?: number },
): Promise<T>;
export function freePort(): Promise<number>;
