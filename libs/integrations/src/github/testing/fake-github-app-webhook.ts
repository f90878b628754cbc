import { createHmac, randomUUID } from 'node:crypto';

// A GitHub App's webhook as GitHub delivers to it: one URL and secret set on the App, every
// installation's events sent there with `installation` in the body, `X-GitHub-Hook-Installation-
// Target-Type: integration` and the App's id as `…-Target-ID`, signed with the App's secret
// (`X-Hub-Signature-256` over the raw body), identified by `X-GitHub-Delivery`.

export interface FakeAppDeliveryOptions {
  /** To redeliver: GitHub keeps the delivery's GUID. */
  readonly deliveryId?: string;
  /** Signs with another secret (a forgery). */
  readonly secret?: string;
  /** False: no signature headers. */
  readonly signed?: boolean;
  /** The exact body to send instead of the payload's JSON. */
  readonly body?: string;
}

export class FakeGithubAppWebhook {
  /** The App's webhook id GitHub sends in `X-GitHub-Hook-ID`. */
  readonly hookId = 470_000_000;

  /** The webhook settings of App `appId`: its URL and secret. */
  constructor(
    readonly appId: number,
    readonly url: string,
    readonly secret: string,
  ) {}

  /**
   * Delivers `event` for the App's installation `installationId` (its `installation` object is
   * added to the payload, as GitHub does). Answers the status and body Mooring gave.
   */
  async deliver(
    installationId: number,
    event: string,
    payload: Record<string, unknown>,
    options: FakeAppDeliveryOptions = {},
  ): Promise<{ status: number; body: string; deliveryId: string }> {
    const deliveryId = options.deliveryId ?? randomUUID();
    const installation = { id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` };
    const body =
      options.body ?? JSON.stringify({ ...payload, installation: { ...installation, ...(payload['installation'] ?? {}) } });
    const secret = options.secret ?? this.secret;
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/5e1f2a9',
        'x-github-event': event,
        'x-github-delivery': deliveryId,
        'x-github-hook-id': String(this.hookId),
        'x-github-hook-installation-target-type': 'integration',
        'x-github-hook-installation-target-id': String(this.appId),
        ...(options.signed === false
          ? {}
          : {
              'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
              'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
            }),
      },
      body,
    });
    return { status: response.status, body: await response.text(), deliveryId };
  }
}
