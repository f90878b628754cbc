import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from './chaos-suite.js';

// The chaos suite, short: `npm test` runs CHAOS_RUNS (default 15) randomised runs; `npm run chaos`
// runs the full suite (1,000) through this same file. The seed varies unless CHAOS_SEED is given,
// and is printed, so a failure can be replayed.

const runs = Number(process.env['CHAOS_RUNS'] ?? 15);
const seed = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 1_000_000));

describe('chaos: faulty tool answers and infrastructure faults', () => {
  it(
    `deletes nothing the tool still has, misses nothing after healthy runs, and leaves no run stuck (${runs} runs)`,
    async () => {
      const report = await runChaos({ runs, seed, log: (line) => process.stderr.write(`[chaos] ${line}\n`) });
      process.stdout.write(formatReport(report));
      expect(report.violations).toEqual([]);
      expect(report).toMatchObject({
        wrongfulDeletions: 0,
        missedDeletionsAfterHealthyRuns: 0,
        missedLoadsAfterHealthyRuns: 0,
        stuckRuns: 0,
        runsInWrongState: 0,
        unexpectedProcessExits: 0,
      });
      // The generator exercised both kinds of fault, and runs with none.
      expect(Object.keys(report.faultsInjected).some((fault) => fault.startsWith('tool-'))).toBe(true);
      expect(report.healthyRuns).toBeGreaterThan(0);
    },
    (60 + runs * 20) * 1000,
  );
});
