import { FakeToolServer, type FakeToolOptions } from '@mooring/integrations/testing';
import { AppStack } from './app-stack.js';
import { OwnPostgres } from './own-servers.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

// The built api, scheduler and workers over a PostgreSQL of one test file alone (which it may crash,
// restart or cut the connections of), a namespace of the run's Redis, and the fake tool.

export interface OwnPostgresStackOptions {
  readonly tool: FakeToolOptions & { readonly token: string };
  readonly workers: number;
  readonly env: Readonly<Record<string, string>>;
}

export class OwnPostgresStack {
  private constructor(
    readonly postgres: OwnPostgres,
    readonly redis: TestRedis,
    readonly tool: FakeToolServer,
    readonly apps: AppStack,
  ) {}

  static async start(options: OwnPostgresStackOptions): Promise<OwnPostgresStack> {
    const postgres = await OwnPostgres.start();
    const redis = createTestRedis();
    const tool = await FakeToolServer.start(options.tool);
    const apps = await AppStack.start({
      databaseUrl: postgres.appUrl,
      redisUrl: redis.url,
      keyPrefix: redis.keyPrefix,
      workers: options.workers,
      env: options.env,
    });
    return new OwnPostgresStack(postgres, redis, tool, apps);
  }

  /** Installs the fake tool (its first sync is queued) and returns the installation's id. */
  installFakeTool(token: string): Promise<string> {
    return this.apps.installFakeTool(this.tool.baseUrl, token);
  }

  async close(): Promise<void> {
    await this.apps.close();
    await this.tool.close();
    await this.redis.clear();
    await this.postgres.stop();
  }
}
