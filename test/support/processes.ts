import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../tools/lib/wait.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A built Mooring entry point (apps/<app>/dist/...) running as a real child process. */
export class AppProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(entry: string, env: Record<string, string>, args: string[] = []): AppProcess {
    const child = spawn(process.execPath, [path.join(repoRoot, entry), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(entry, child);
  }

  /** Resolves with the exit code; fails if the process is still running after `timeoutMs`. */
  async exitCode(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exitCode();
  }
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<Response> {
  return waitFor(
    url,
    async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${response.status}`);
      return response;
    },
    { timeoutMs },
  );
}
