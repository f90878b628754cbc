import readline from 'node:readline';
import { FAKE_KINDS, FakeToolServer, type FakeKind } from '@mooring/integrations/testing';

// The fake tool in a process of its own, so the benchmark measures the engine's memory and CPU,
// not the generator of its input. Reads one JSON command per line on stdin, answers on stdout.

const [token, countsJson] = process.argv.slice(2);
const server = await FakeToolServer.start({
  token: token!,
  counts: JSON.parse(countsJson!) as Record<FakeKind, number>,
  pageSize: 100,
});
server.setRequestLog(false);
process.stdout.write(`${JSON.stringify({ url: server.baseUrl })}\n`);

for await (const line of readline.createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { change?: { fraction: number; counts: Record<FakeKind, number> } };
  if (command.change) {
    // Every n-th item of each kind changes: a deterministic spread over all pages.
    const step = Math.round(1 / command.change.fraction);
    for (const kind of FAKE_KINDS) {
      const indexes: number[] = [];
      for (let i = 0; i < command.change.counts[kind]; i += step) indexes.push(i);
      server.change(kind, indexes);
    }
  }
  process.stdout.write('{"ok":true}\n');
}
await server.close();
