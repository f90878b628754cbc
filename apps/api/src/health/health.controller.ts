import { Controller, HttpStatus, Res } from '@nestjs/common';
import { api } from '@mooring/contract';
import type { Response } from 'express';
import { checkReadiness } from '@mooring/platform';
import { Database } from '@mooring/persistence';
import { RedisConnection } from '@mooring/queue';
import { Endpoint } from '../http/endpoint.decorator.js';

@Controller()
export class HealthController {
  constructor(
    private readonly database: Database,
    private readonly redis: RedisConnection,
  ) {}

  /** Readiness: 200 when PostgreSQL and Redis answer, 503 naming the one that does not. */
  @Endpoint(api.meta.ready)
  async ready(@Res({ passthrough: true }) response: Response) {
    const report = await checkReadiness([this.database, this.redis]);
    if (report.status !== 'ok') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  /** Liveness: the process is up and serving. */
  @Endpoint(api.meta.live)
  live() {
    return { status: 'ok' as const };
  }
}
