import { Controller } from '@nestjs/common';
import { api, buildOpenApiDocument } from '@mooring/contract';
import { Endpoint } from './endpoint.decorator.js';

/** The API's own description, generated from the contract the api serves. */
@Controller()
export class MetaController {
  private document: Record<string, unknown> | undefined;

  @Endpoint(api.meta.openapi)
  openapi() {
    this.document ??= buildOpenApiDocument({ version: '1' });
    return this.document;
  }
}
