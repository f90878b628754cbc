import { isDomainError, type DomainError } from '@mooring/platform';
import type { ResourceTally } from '../tally/resource-tally.js';
import type { ExtractedPage } from './extract-pages.js';

/**
 * Runs a kind's extraction and keeps its failure apart from the rest of the pipeline: a tool error
 * (or an abort) ends the resource's pages and is recorded on the resource, and so does a refusal of
 * the credentials (`refused`, which ends the run), while an error of mapping or loading code still
 * propagates. Counts fetched items and time spent waiting for pages.
 */
export class ExtractionGuard {
  status: 'completed' | 'failed' | 'aborted' = 'completed';
  error: string | null = null;
  /** What the tool's extraction threw, for the worker's retry decision. */
  cause: unknown = undefined;
  /** The tool refused the credentials: the run cannot go on, every other kind would be refused too. */
  refused: DomainError | undefined = undefined;

  constructor(
    private readonly tally: ResourceTally,
    private readonly signal: AbortSignal,
  ) {}

  async *pages(source: AsyncGenerator<ExtractedPage>): AsyncGenerator<ExtractedPage> {
    const counts = this.tally.counts;
    try {
      for (;;) {
        if (this.signal.aborted) {
          this.status = 'aborted';
          return;
        }
        let next: IteratorResult<ExtractedPage>;
        try {
          next = await this.tally.time('extractMs', () => source.next());
        } catch (error) {
          if (!this.signal.aborted && isCredentialsRefusal(error)) this.refuse(error);
          else this.fail(error);
          return;
        }
        if (next.done) return;
        counts.fetched += next.value.items.length;
        counts.fetchFailed += next.value.skipped.length;
        for (const failure of next.value.skipped) {
          this.tally.sample({ phase: 'extract', identifier: failure.item, reason: `skipped: ${failure.reason}` });
        }
        yield next.value;
      }
    } finally {
      await source.return(undefined).catch(() => {});
    }
  }

  private refuse(error: DomainError): void {
    this.status = 'failed';
    this.refused = error;
    this.cause = error;
    this.tally.counts.fetchFailed++;
    this.error = `${error.code}: ${error.message}`;
  }

  private fail(error: unknown): void {
    if (this.signal.aborted) {
      this.status = 'aborted';
      return;
    }
    this.status = 'failed';
    this.cause = error;
    this.tally.counts.fetchFailed++;
    const message = error instanceof Error ? error.message : String(error);
    this.error = isDomainError(error) ? `${error.code}: ${message}` : message;
    this.tally.sample({ phase: 'extract', reason: this.error });
  }
}

/** The tool (or the installation's state) refused the credentials: the run cannot go on. */
export function isCredentialsRefusal(error: unknown): error is DomainError {
  return isDomainError(error, 'CREDENTIALS_INVALID') || isDomainError(error, 'REAUTH_REQUIRED');
}
