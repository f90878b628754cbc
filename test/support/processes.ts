import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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
    /** When set, stdout and stderr are also appended to this file, whole (`output` may be trimmed). */
    readonly logFile?: string,
  ) {
    const file = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      file?.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('close', () => file?.end());
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(entry: string, env: Record<string, string>, args: string[] = [], options: { logFile?: string } = {}): AppProcess {
    const child = spawn(process.execPath, [path.join(repoRoot, entry), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(entry, child, options.logFile);
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
