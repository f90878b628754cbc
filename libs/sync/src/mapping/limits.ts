// Bounds on evaluating a tenant's mapping. Every expression runs in a worker thread (see
// mapping-pool.ts) that is terminated when a page overruns its time; inside, these limits turn the
// common runaway shapes into a clear, coded error for the item instead of a stall.

/** JSONata's own guardrails, per evaluation of one expression on one item. */
export const GUARDRAILS = {
  /** Milliseconds; JSONata checks it between evaluation steps (D1012). */
  timeout: 1_000,
  /** Evaluation depth (D1011). */
  stack: 500,
  /** Longest sequence an expression may build, ranges included (D2015). */
  sequence: 100_000,
} as const;

export const LIMITS = {
  /** Longest string `$pad` may build (JSONata has no limit: `$pad("x", 1e8)` made 100 MB). */
  stringLength: 2_000_000,
  /** An entity's strings and keys, in characters (a bound on memory; the loader's 1 MiB cap is exact). */
  entityChars: 8_000_000,
  /** Items one raw item may expand to through `itemsToParse`. */
  itemsToParse: 10_000,
  /** What one jq call receives: jq-wasm aborts around 90 MB; a page is split into calls below this. */
  jqInputBytes: 8 * 1_048_576,
  /**
   * CPU time a worker thread may spend on one page before it is terminated and replaced (wall
   * time where the platform has no per-thread clock; see thread-clock.ts).
   */
  pageMs: 5_000,
  /** The same, for one item evaluated alone (after its page overran). */
  itemMs: 2_000,
  /**
   * A task is terminated after this many times its limit in wall time, whatever CPU it used: the
   * backstop for a thread starved of CPU (load 15 on 2 cores gives a thread about a tenth of one).
   */
  starvedWallFactor: 10,
  /** A page whose items overran this many times stops its resource. */
  timeoutsPerPage: 3,
  /** Heap of each evaluation worker thread; a runaway allocation ends the thread, not the process. */
  workerHeapMb: 256,
} as const;

/** Why an item could not be mapped, as a stable code (the mapping test and samples show it). */
export type MappingErrorCode =
  /** An expression raised an error (JSONata's or jq's message says which). */
  | 'EXPRESSION_FAILED'
  /** An evaluation ran out of time: JSONata's guardrail, or its worker was terminated. */
  | 'TIME_LIMIT'
  /** A size limit: sequence or range length, string length, itemsToParse count, entity or input size, depth. */
  | 'SIZE_LIMIT'
  /** The mapping produced no valid entity: empty identifier or blueprint, a non-boolean selector, a bad relation. */
  | 'INVALID_ENTITY'
  /** Not evaluated: the request's or the page's evaluation budget was spent on earlier items. */
  | 'NOT_EVALUATED';
