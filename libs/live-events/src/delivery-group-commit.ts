import { isRefusedData, type LiveEventRepository } from '@mooring/persistence';

/** A verified delivery as the edge stores it. */
export interface VerifiedDelivery {
  readonly deliveryId: string | null;
  readonly event: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** `body`'s JSON text as received, stored as it is when given (PostgreSQL's jsonb parses it once). */
  readonly bodyJson?: string;
}

interface Waiting {
  readonly delivery: VerifiedDelivery;
  readonly resolve: (accepted: boolean) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  readonly orgId: string;
  readonly installationId: string;
  waiting: Waiting[];
  /** A batch is being inserted (the next one starts once it has been, and its predecessor has finished). */
  inserting: boolean;
  /** Batches started and not finished. */
  inFlight: number;
  /** The last batch started. */
  last: Turn;
}

/** A batch's progress, for the batch after it. */
interface Turn {
  /** Whether it committed in its turn, as one transaction (false: it is written again, later). */
  readonly committed: Promise<boolean>;
  /** Written (or failed) and answered. */
  readonly finished: Promise<void>;
}

const DONE: Turn = { committed: Promise.resolve(true), finished: Promise.resolve() };

/** More than this waiting for one installation are written by the next transaction. */
const MAX_BATCH = 250;

/** A batch inserted while its predecessor was refused and written again after it: written again too, to keep the order. */
class PredecessorRewritten extends Error {}

/**
 * Group commit of the edge's accepted deliveries: while one installation's transaction is being
 * written, the deliveries that arrive for it wait and are then written together, in arrival order,
 * in one transaction (one flush to disk instead of one each). No delivery waits for a timer: an
 * idle installation's delivery is written at once, and a burst batches itself. Each delivery's
 * request is answered only after the transaction holding its row has committed, and after one apply
 * job for the batch is queued. A batch that fails is written again one delivery at a time, so a
 * delivery the database refuses fails alone.
 *
 * Pipelined, two transactions deep: the next batch is inserted while the previous one commits (its
 * flush to disk), and commits only after it. Rows are numbered at insert and commit in that order,
 * so workers, which apply an installation's deliveries in row order, never see a later one first.
 * When a batch is written again (refused, then one by one), the batch inserted behind it rolls back
 * and is written again after it, keeping the order.
 */
export class DeliveryGroupCommit {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly events: Pick<LiveEventRepository, 'acceptMany'>,
    /** Called once per committed batch that accepted something (the installation's apply job); must not throw. */
    private readonly wake: (orgId: string, installationId: string) => Promise<void>,
  ) {}

  /** True: stored to apply; false: a duplicate of a delivery accepted before (logged and counted). */
  accept(orgId: string, installationId: string, delivery: VerifiedDelivery): Promise<boolean> {
    const key = `${orgId}:${installationId}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { orgId, installationId, waiting: [], inserting: false, inFlight: 0, last: DONE };
      this.lanes.set(key, lane);
    }
    const accepted = new Promise<boolean>((resolve, reject) => lane.waiting.push({ delivery, resolve, reject }));
    if (!lane.inserting) void this.flush(key, lane);
    return accepted;
  }

  private async flush(key: string, lane: Lane): Promise<void> {
    lane.inserting = true;
    while (lane.waiting.length) {
      const batch = lane.waiting.splice(0, MAX_BATCH);
      const previous = lane.last;
      let markInserted = () => {};
      let markCommitted = (_inTurn: boolean) => {};
      const inserted = new Promise<void>((resolve) => (markInserted = resolve));
      const committed = new Promise<boolean>((resolve) => (markCommitted = resolve));
      const finished = this.commit(lane, batch, previous, markInserted, markCommitted);
      lane.last = { committed, finished };
      lane.inFlight++;
      void finished.then(() => {
        lane.inFlight--;
        if (!lane.inFlight && !lane.inserting && !lane.waiting.length) this.lanes.delete(key);
      });
      // At most two transactions: one inserting while the one before it commits.
      await Promise.race([Promise.all([inserted, previous.finished]), finished]);
    }
    lane.inserting = false;
    if (!lane.inFlight) this.lanes.delete(key);
  }

  /** Writes `batch` after `previous` and answers its deliveries. */
  private async commit(
    lane: Lane,
    batch: Waiting[],
    previous: Turn,
    inserted: () => void,
    committed: (inTurn: boolean) => void,
  ): Promise<void> {
    let answers: Array<boolean | { error: unknown }>;
    try {
      const stored = await this.events.acceptMany(
        lane.orgId,
        lane.installationId,
        batch.map((waiting) => waiting.delivery),
        async () => {
          inserted();
          if (!(await previous.committed)) throw new PredecessorRewritten();
        },
      );
      committed(true);
      answers = stored.map((row) => row !== null);
    } catch (error) {
      // Rolled back, so the batch behind this one (waiting for `committed`) rolls back too and waits for this one.
      committed(false);
      inserted();
      await previous.finished;
      answers = error instanceof PredecessorRewritten ? await this.write(lane, batch) : await this.writeEach(lane, batch, error);
    }
    if (answers.some((answer) => answer === true)) await this.wake(lane.orgId, lane.installationId);
    batch.forEach((waiting, i) => {
      const answer = answers[i];
      if (typeof answer === 'boolean') waiting.resolve(answer);
      else waiting.reject(answer?.error);
    });
  }

  /** Each delivery's answer, or the error that kept it from being stored. */
  private async write(lane: Lane, batch: Waiting[]): Promise<Array<boolean | { error: unknown }>> {
    try {
      const stored = await this.events.acceptMany(
        lane.orgId,
        lane.installationId,
        batch.map((waiting) => waiting.delivery),
      );
      return stored.map((row) => row !== null);
    } catch (error) {
      return this.writeEach(lane, batch, error);
    }
  }

  /** After `batch` failed with `error`: each delivery alone, so one the database refuses fails alone. */
  private async writeEach(lane: Lane, batch: Waiting[], error: unknown): Promise<Array<boolean | { error: unknown }>> {
    if (batch.length === 1) {
      const { bodyJson, ...delivery } = batch[0]!.delivery;
      // Text jsonb refuses though JSON.parse took it (say, a number beyond jsonb's range): stored as parsed instead.
      if (bodyJson !== undefined && isRefusedData(error)) return this.write(lane, [{ ...batch[0]!, delivery }]);
      return [{ error }];
    }
    const answers: Array<boolean | { error: unknown }> = [];
    for (const waiting of batch) answers.push(...(await this.write(lane, [waiting])));
    return answers;
  }
}
