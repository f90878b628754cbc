import type { JsonValue } from '../integration-definition.js';

/** A tool's answer to a GET, as the toolkit's client gives it to paging strategies and kinds. */
export interface Answer {
  readonly status: number;
  readonly body: JsonValue;
  /** The answer's headers (after a 304, those the cache kept). */
  readonly headers: Headers;
  /** Served from the installation's response cache after a 304. */
  readonly notModified: boolean;
}
