import { Injectable } from '@nestjs/common';
import type { IntegrationDefinition } from '@mooring/integrations';
import { parseMapping } from './parse-mapping.js';

/** Validates a mapping when it is saved (install, PATCH): every expression compiled, paths named. */
@Injectable()
export class MappingValidator {
  validate(integration: IntegrationDefinition, mapping: unknown): void {
    parseMapping(mapping, { integration });
  }
}
