import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseInput } from '@mooring/platform';

/** Validates a body, query or param with zod; failures become VALIDATION_FAILED naming the field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly subject = 'request',
  ) {}

  transform(value: unknown): z.output<S> {
    return parseInput(this.schema, value, this.subject);
  }
}
