import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { IntegrationDefinition } from '@mooring/integrations';
import { closeSharedMappingPool } from './mapping-pool.js';
import { parseMapping } from './parse-mapping.js';

/**
 * Validates a mapping when it is saved (install, PATCH): every expression compiled (JQ by jq
 * itself, in the mapping pool), paths named. Stops the process's mapping pool on shutdown.
 */
@Injectable()
export class MappingValidator implements OnApplicationShutdown {
  async validate(integration: IntegrationDefinition, mapping: unknown): Promise<void> {
    await parseMapping(mapping, { integration });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeSharedMappingPool();
  }
}
