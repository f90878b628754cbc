/**
 * An integration's benchmark scenario (`<folder>/testing/bench-scenario.ts`, exporting `scenario`):
 * how much data its fake tool serves and what it counts. `npm run bench -- <integration id>` runs
 * it with the generic harness (bench/integration.bench.ts): the fake tool in a process of its own,
 * a first sync into an empty catalog and response cache, then an unchanged resync, through the
 * integration's kinds and default mapping.
 */
export interface BenchScenario {
  /** Command-line options (`--repos 2000`), with their defaults. */
  readonly options: Readonly<Record<string, { readonly default: string; readonly description: string }>>;
  /** What the run syncs, for the first line of the output (and the fields each result line repeats). */
  describe(options: Readonly<Record<string, string>>): Record<string, unknown>;
  /** Starts the fake tool; runs in the tool's own process. */
  startTool(options: Readonly<Record<string, string>>): Promise<BenchTool>;
}

export interface BenchTool {
  /** The installation's non-secret settings pointing at the fake. */
  readonly settings: Readonly<Record<string, string>>;
  /** The token the fake accepts. */
  readonly token: string;
  /**
   * The fake's counters now: `requests` and `notModified` (304s) at least; `quotaRemaining` when
   * the tool has a quota (the result shows what a run spent), anything else is shown as counted.
   */
  counters(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** The scenario in an integration's folder, by its id (the folder's name). */
export async function benchScenario(id: string): Promise<BenchScenario> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`"${id}" is not an integration id`);
  const module = (await import(`../../${id}/testing/bench-scenario.js`)) as { scenario?: BenchScenario };
  if (!module.scenario) throw new Error(`${id}/testing/bench-scenario.ts exports no scenario`);
  return module.scenario;
}
