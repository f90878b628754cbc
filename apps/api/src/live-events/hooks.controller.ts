import { Controller, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { api, appHookParams, hookParams } from '@mooring/contract';
import type { WebhookDelivery } from '@mooring/integrations';
import { AppWebhookEdge, LiveEventEdge } from '@mooring/live-events';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

/**
 * Where tools deliver webhooks. The body arrives as raw bytes (capped; `useHookBodies`), since
 * signatures are over the exact bytes; the edge verifies before anything reads it.
 */
@Controller()
export class HooksController {
  constructor(
    private readonly edge: LiveEventEdge,
    private readonly appEdge: AppWebhookEdge,
  ) {}

  /** The platform App's one webhook (two path segments: never a hook id). */
  @Endpoint(api.hooks.deliverToApp)
  async deliverToApp(
    @Param('integrationId', new ZodPipe(appHookParams.shape.integrationId, 'path')) integrationId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const answer = await this.appEdge.receive(integrationId, deliveryOf(request));
    response.status(answer.status);
    return answer.body;
  }

  @Endpoint(api.hooks.deliver)
  async deliver(
    @Param('hookId', new ZodPipe(hookParams.shape.hookId, 'path')) hookId: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const answer = await this.edge.receive(hookId, deliveryOf(request));
    response.status(answer.status);
    return answer.body;
  }
}

function deliveryOf(request: Request): WebhookDelivery {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  return { rawBody, headers, receivedAt: new Date() };
}
