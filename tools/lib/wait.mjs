import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Retries `probe` until it resolves, failing with the last error after `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 30_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
      if (/exited with/.test(String(error?.message))) break;
      await sleep(intervalMs);
    }
  }
  throw new Error(`${what} did not become ready: ${lastError?.message ?? 'timed out'}`);
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
