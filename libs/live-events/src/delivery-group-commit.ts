import type { LiveEventRepository } from '@mooring/persistence';

/** A verified delivery as the edge stores it. */
export interface VerifiedDelivery {
  readonly deliveryId: string | null;
  readonly event: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
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
  flushing: boolean;
}

/** More than this waiting for one installation are written by the next transaction. */
const MAX_BATCH = 250;

/**
 * Group commit of the edge's accepted deliveries: while one installation's transaction is being
 * written, the deliveries that arrive for it wait and are then written together, in arrival order,
 * in one transaction (one flush to disk instead of one each). No delivery waits for a timer: an
 * idle installation's delivery is written at once, and a burst batches itself. Each delivery's
 * request is answered only after the transaction holding its row has committed, and after one apply
 * job for the batch is queued. A batch that fails is written again one delivery at a time, so a
 * delivery the database refuses fails alone.
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
      lane = { orgId, installationId, waiting: [], flushing: false };
      this.lanes.set(key, lane);
    }
    const accepted = new Promise<boolean>((resolve, reject) => lane.waiting.push({ delivery, resolve, reject }));
    if (!lane.flushing) void this.flush(key, lane);
    return accepted;
  }

  private async flush(key: string, lane: Lane): Promise<void> {
    lane.flushing = true;
    while (lane.waiting.length) {
      const batch = lane.waiting.splice(0, MAX_BATCH);
      const answers = await this.write(lane, batch);
      if (answers.some((answer) => answer === true)) await this.wake(lane.orgId, lane.installationId);
      batch.forEach((waiting, i) => {
        const answer = answers[i];
        if (typeof answer === 'boolean') waiting.resolve(answer);
        else waiting.reject(answer?.error);
      });
    }
    lane.flushing = false;
    this.lanes.delete(key);
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
      if (batch.length === 1) return [{ error }];
      const answers: Array<boolean | { error: unknown }> = [];
      for (const waiting of batch) answers.push(...(await this.write(lane, [waiting])));
      return answers;
    }
  }
}
