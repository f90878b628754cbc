import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookRegistration, JsonObject, JsonValue, WebhookDelivery } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { pagerduty } from './pagerduty.definition.js';
import { FakePagerduty } from './testing/fake-pagerduty.server.js';

// PagerDuty's live events against the fake: the subscription created at install with its secret
// kept, deliveries as the fake signs them (one `v1=` per secret), forged ones refused, and each
// event's item read again exactly as the next resync would list it.

const KEY = 'u+pdLiveEventsKey';
const live = pagerduty.liveEvents!;

describe('PagerDuty live events', () => {
  let fake: FakePagerduty;
  let receiver: http.Server;
  let hookUrl: string;
  let registration: HookRegistration;
  const received: WebhookDelivery[] = [];
  const connection = () => testConnection({ apiUrl: fake.apiUrl }, KEY);

  /** What the fake delivers next, as the edge would hand it over. */
  const next = async (send: () => Promise<Response[]>): Promise<WebhookDelivery> => {
    const count = received.length;
    const answers = await send();
    expect(answers.map((a) => a.status)).toEqual([204]);
    expect(received.length).toBe(count + 1);
    return received.at(-1)!;
  };
  const body = (delivery: WebhookDelivery): JsonValue => JSON.parse(delivery.rawBody.toString('utf8')) as JsonValue;
  const listed = async (kind: string, selector: Record<string, unknown> = {}) => {
    const items: JsonObject[] = [];
    for await (const page of pagerduty.kinds[kind]!.extract(connection(), selector)) items.push(...pageItems(page));
    return items;
  };

  beforeAll(async () => {
    fake = await FakePagerduty.start();
    fake.addApiKey(KEY);
    receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          rawBody: Buffer.concat(chunks),
          headers: request.headers as Record<string, string>,
          receivedAt: new Date(),
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/hooks/h_test`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await fake.close();
  });

  it('creates an account-wide v3 subscription for incident and service events and keeps the secret PagerDuty returns once', async () => {
    registration = await live.register!(connection(), { url: hookUrl, secret: 'mooring-generated-unused' });
    const [subscription] = [...fake.subscriptions.values()];
    expect(registration).toEqual({ reference: { subscriptionId: subscription!.id }, secret: subscription!.secrets[0] });
    expect(subscription!.url).toBe(hookUrl);
    expect(subscription!.events).toEqual(expect.arrayContaining(['incident.triggered', 'incident.resolved', 'service.deleted']));
    const create = JSON.parse(fake.requests.find((r) => r.method === 'POST')!.body) as JsonObject;
    expect(create).toMatchObject({ webhook_subscription: { filter: { type: 'account_reference' } } });
  });

  it('verifies a delivery on its raw body, and during a rotation accepts either secret', async () => {
    const incident = [...fake.incidents.values()][0]!;
    const delivery = await next(() => fake.deliver('incident.acknowledged', fake.webhookIncident(incident['id'])));
    expect(live.verify(delivery, [registration.secret!])).toEqual({
      verified: true,
      deliveryId: delivery.headers['x-webhook-id'],
      event: 'incident.acknowledged',
    });
    // PagerDuty rotating: two signatures; Mooring holding the old secret and the new one.
    const subscription = [...fake.subscriptions.values()][0]!;
    subscription.secrets = ['rotated-secret-0123', registration.secret!];
    const rotated = await next(() => fake.deliver('incident.resolved', fake.webhookIncident(incident['id'])));
    expect(rotated.headers['x-pagerduty-signature']!.split(',')).toHaveLength(2);
    expect(live.verify(rotated, ['rotated-secret-0123'])).toMatchObject({ verified: true });
    expect(live.verify(rotated, ['another', registration.secret!])).toMatchObject({ verified: true });
    subscription.secrets = [registration.secret!];
  });

  it('refuses forged, altered and unsigned deliveries', async () => {
    const incident = [...fake.incidents.values()][1]!;
    const data = fake.webhookIncident(incident['id']);
    const forged = await next(() => fake.deliver('incident.resolved', data, { signatures: FakePagerduty.sign('{}', ['guess']) }));
    expect(live.verify(forged, [registration.secret!])).toEqual({ verified: false, reason: 'bad_signature' });
    const genuine = await next(() => fake.deliver('incident.resolved', data));
    const altered = { ...genuine, rawBody: Buffer.from(genuine.rawBody.toString().replace('resolved', 'triggered')) };
    expect(live.verify(altered, [registration.secret!])).toEqual({ verified: false, reason: 'bad_signature' });
    const { ['x-pagerduty-signature']: _, ...unsigned } = genuine.headers;
    expect(live.verify({ ...genuine, headers: unsigned }, [registration.secret!])).toEqual({
      verified: false,
      reason: 'missing_signature',
    });
    const wrongScheme = { ...genuine, headers: { ...genuine.headers, 'x-pagerduty-signature': 'v0=' + '0'.repeat(64) } };
    expect(live.verify(wrongScheme, [registration.secret!])).toEqual({ verified: false, reason: 'bad_signature' });
    expect(live.verify(genuine, [])).toEqual({ verified: false, reason: 'bad_signature' });
  });

  it('applies every incident event as the next resync would write the incident', async () => {
    const incident = fake.addIncident('PSVC2', 'Card declines spiking');
    for (const type of ['incident.triggered', 'incident.acknowledged', 'incident.reassigned', 'incident.resolved']) {
      if (type === 'incident.acknowledged') incident['status'] = 'acknowledged';
      if (type === 'incident.resolved') incident['status'] = 'resolved';
      const delivery = await next(() => fake.deliver(type, fake.webhookIncident(incident['id'])));
      const changes = live.changes({ headers: delivery.headers, body: body(delivery) });
      expect(changes).toEqual([{ kind: 'incident', itemId: incident['id'], action: 'upsert', version: expect.any(String) }]);
      const item = await live.fetchItem(connection(), 'incident', incident['id']);
      const resync = (await listed('incident', { daysBack: 1 })).find((i) => i['id'] === incident['id']);
      expect(item).toEqual(resync);
      expect(item!['status']).toBe(incident['status']);
    }
  });

  it('applies service created and updated events as the resync writes the service, on-call included', async () => {
    const service = fake.services.get('PSVC3')!;
    service['description'] = 'Renamed by a live event';
    const delivery = await next(() =>
      fake.deliver('service.updated', { id: 'PSVC3', type: 'service', summary: service['summary'], teams: service['teams'] }),
    );
    expect(live.changes({ headers: delivery.headers, body: body(delivery) })).toEqual([
      { kind: 'service', itemId: 'PSVC3', action: 'upsert', version: expect.any(String) },
    ]);
    const item = await live.fetchItem(connection(), 'service', 'PSVC3');
    expect(item).toEqual((await listed('service')).find((s) => s['id'] === 'PSVC3'));
    expect(item!['description']).toBe('Renamed by a live event');
    expect((item!['__oncall'] as unknown[]).length).toBe(2);
  });

  it('turns service.deleted into a deletion the worker confirms: the service reads as gone', async () => {
    fake.services.delete('PSVC4');
    const delivery = await next(() => fake.deliver('service.deleted', { id: 'PSVC4', type: 'service' }));
    expect(live.changes({ headers: delivery.headers, body: body(delivery) })).toEqual([
      { kind: 'service', itemId: 'PSVC4', action: 'delete', item: { id: 'PSVC4', type: 'service' }, version: expect.any(String) },
    ]);
    expect(await live.fetchItem(connection(), 'service', 'PSVC4')).toBeNull();
    expect(await live.fetchItem(connection(), 'incident', 'QNOSUCHINCIDENT')).toBeNull();
  });

  it('follows nothing else, and refuses a body without an event', () => {
    const headers = {};
    expect(live.changes({ headers, body: { event: { event_type: 'incident.annotated', data: { id: 'X' } } } })).toEqual([]);
    expect(() => live.changes({ headers, body: { hello: 'world' } })).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_MALFORMED' }),
    );
    expect(() => live.changes({ headers, body: { event: { event_type: 'incident.resolved', data: {} } } })).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_MALFORMED' }),
    );
  });

  it('deletes the subscription at uninstall, and a subscription already gone is no error', async () => {
    await live.unregister!(connection(), registration);
    expect(fake.subscriptions.size).toBe(0);
    await live.unregister!(connection(), registration);
  });
});
