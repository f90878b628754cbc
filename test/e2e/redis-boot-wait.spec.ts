import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeToolServer } from '@mooring/integrations/testing';
import { AppStack } from '../support/app-stack.js';
import { STACK_FRAME, fatalLine, logLines, until } from '../support/boot-wait.js';
import { OwnRedis } from '../support/own-servers.js';
import type { AppProcess } from '../support/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The built api, scheduler and worker started while their Redis is not up yet (a stack booting in
// any order, a restart) wait for it with one line per window, then work; a process that never
// sees it exits with one line saying so. Never a stack trace, never the Redis password.

const PASSWORD = `redis-${randomBytes(12).toString('hex')}`;
const TOOL_TOKEN = 'fake-tool-token-redis-boot-0123456789';

/** The ops port a background process logged when it started (`opsPort`). */
function opsPortOf(process: AppProcess, started: string): number {
  const line = logLines(process).find((entry) => entry['msg'] === started);
  return Number(line?.['opsPort']);
}

describe('processes that boot while Redis is down', () => {
  let database: TestDatabase;
  let redis: OwnRedis;
  let tool: FakeToolServer;
  let apps: AppStack | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await OwnRedis.reserve({ password: PASSWORD });
    tool = await FakeToolServer.start({ token: TOOL_TOKEN, pageSize: 50, counts: { team: 1, service: 2, deployment: 3 } });
  });

  afterAll(async () => {
    await apps?.close();
    await tool?.close();
    await redis?.close();
    await database?.drop();
  });

  it('wait for Redis to come up, saying so without a stack or the password, then become healthy', async () => {
    apps = await AppStack.launch({
      databaseUrl: database.appUrl,
      redisUrl: redis.url,
      keyPrefix: `boot-${randomBytes(4).toString('hex')}`,
      workers: 1,
    });
    const waiting = new RegExp(
      `^Redis at 127\\.0\\.0\\.1:${redis.port} not reachable yet \\(ECONNREFUSED\\); retrying for \\d+ s$`,
    );
    for (const process of apps.processes) {
      await until(
        `${process.name} saying it waits for Redis`,
        () => logLines(process).some((line) => line['level'] === 'warn' && waiting.test(String(line['msg']))),
        process,
      );
    }

    await redis.resume({ keepData: false });
    await apps.ready();
    const [worker] = apps.workers;
    await until('the worker starting', () => opsPortOf(worker!, 'worker started') > 0, worker!);
    await until('the scheduler starting', () => opsPortOf(apps!.scheduler, 'scheduler started') > 0, apps.scheduler);
    const ready = await Promise.all([
      fetch(`${apps.baseUrl}/health`),
      fetch(`http://127.0.0.1:${opsPortOf(worker!, 'worker started')}/health/ready`),
      fetch(`http://127.0.0.1:${opsPortOf(apps.scheduler, 'scheduler started')}/health/ready`),
    ]);
    expect(ready.map((response) => response.status)).toEqual([200, 200, 200]);
    // Working, not only up: an installation's first sync goes through the queue to the worker.
    const installationId = await apps.installFakeTool(tool.baseUrl, TOOL_TOKEN);
    await until(
      'the first sync completing',
      async () => {
        const status = await apps!.call('GET', `/v1/installations/${installationId}/sync-status`);
        return status.body?.run?.status === 'completed';
      },
      worker!,
    );

    for (const process of apps.processes) {
      expect(process.child.exitCode, process.output.slice(-2000)).toBeNull();
      expect(process.output, process.name).not.toMatch(STACK_FRAME);
      expect(process.output, process.name).not.toContain(PASSWORD);
      expect(logLines(process).filter((line) => 'raw' in line)).toEqual([]);
    }
  }, 180_000);

  it('exits with one clear line, and no stack or password, when Redis never comes up', async () => {
    await redis.stop();
    try {
      const worker = apps!.startWorker({ REDIS_BOOT_WAIT_SECONDS: '3' });
      expect(await worker.exitCode(90_000)).toBe(1);
      expect(fatalLine(worker)).toEqual(
        expect.objectContaining({
          code: 'DEPENDENCY_UNAVAILABLE',
          msg: `Redis at 127.0.0.1:${redis.port} was not reachable within 3 s (ECONNREFUSED): check that it is running and that REDIS_URL names its host and port`,
        }),
      );
      expect(fatalLine(worker)).not.toHaveProperty('err');
      expect(worker.output).not.toMatch(STACK_FRAME);
      expect(worker.output).not.toContain(PASSWORD);
      expect(logLines(worker).filter((line) => 'raw' in line)).toEqual([]);
    } finally {
      await redis.resume({ keepData: true });
    }
  }, 120_000);
});
