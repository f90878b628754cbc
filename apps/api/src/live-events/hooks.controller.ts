import { Controller, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { api, hookParams } from '@mooring/contract';
import { LiveEventEdge } from '@mooring/live-events';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

/**
 * Where tools deliver webhooks. The body arrives as raw bytes (capped; `useHookBodies`), since
 * signatures are over the exact bytes; the edge verifies before anything reads it.
 */
@Controller()
export class HooksController {
  constructor(private readonly edge: LiveEventEdge) {}

  @Endpoint(api.hooks.deliver)
  async deliver(
    @Param('hookId', new ZodPipe(hookParams.shape.hookId, 'path')) hookId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const answer = await this.edge.receive(hookId, { rawBody, headers, receivedAt: new Date() });
    response.status(answer.status);
    return answer.body;
  }
}
