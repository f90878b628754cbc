import readline from 'node:readline';
import { FakeGithub, type FakeGithubShape } from '@mooring/integrations/testing';

// The fake GitHub in a process of its own, so the benchmark measures the engine, not the server.
// Arguments: token, organization, shape (JSON), hourly rate limit. Prints `{"host"}`; then answers each line on stdin
// with the server's request counters.

const [token, organization, shapeJson, rateLimit] = process.argv.slice(2);
const github = await FakeGithub.start({
  shape: JSON.parse(shapeJson!) as Partial<FakeGithubShape>,
  rateLimit: Number(rateLimit),
  recordRequests: false,
});
github.addToken(token!, { login: 'octocat', scopes: 'repo, read:org', organizations: [organization!] });
process.stdout.write(`${JSON.stringify({ host: github.host })}\n`);
for await (const _ of readline.createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify({ ...github.stats, quotaRemaining: github.quota(token!).remaining })}\n`);
}
await github.close();
