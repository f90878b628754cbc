#!/usr/bin/env node
// npm start: the whole stack on one machine. Installs dependencies if needed, builds, starts
// PostgreSQL and Redis under .mooring/ unless DATABASE_URL / REDIS_URL are given, migrates,
// creates a demo organization with a demo user once, runs api + scheduler + worker and a demo
// tool (the fake integration's server, on loopback) installed in the demo org, until Ctrl-C.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './lib/paths.mjs';
import { build, ensureDependencies } from './lib/steps.mjs';

const stateDir = path.join(repoRoot, '.mooring');
const env = { ...process.env };
const stops = [];
const children = [];
let stopping = false;

function say(line) {
  process.stdout.write(`[mooring] ${line}\n`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major === 24;
  if (!supported) throw new Error(`Node ${process.versions.node} is not supported: use Node 20.19+, 22.12+ or 24`);
}

function readJson(file, fallback) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : fallback;
}

function writeSecretJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

async function startInfrastructure() {
  // Imported late: these modules need dependencies that may have just been installed.
  const { startLocalPostgres, startLocalRedis } = await import('./lib/local-infra.mjs');
  const log = (line) => say(line);
  if (!env.DATABASE_URL) {
    const port = Number(env.MOORING_LOCAL_PG_PORT ?? 54329);
    const postgres = await startLocalPostgres({ stateDir, port, durable: true, log });
    stops.push(() => postgres.stop());
    env.DATABASE_URL = postgres.databaseUrl;
    env.DATABASE_MIGRATION_URL = postgres.migrationUrl;
  } else if (!env.DATABASE_MIGRATION_URL) {
    throw new Error('DATABASE_URL is set but DATABASE_MIGRATION_URL is not: give the owner role URL that runs migrations');
  }
  if (!env.REDIS_URL) {
    const port = Number(env.MOORING_LOCAL_REDIS_PORT ?? 63799);
    const redis = await startLocalRedis({ stateDir, port, durable: true, log });
    stops.push(() => redis.stop());
    env.REDIS_URL = redis.url;
  }
}

/** A stable local signing key, so tokens survive restarts of the local stack. */
function ensureTokenSecret() {
  if (env.AUTH_TOKEN_SECRET) return;
  const file = path.join(stateDir, 'auth-token-secret.json');
  const stored = readJson(file, null) ?? { secret: crypto.randomBytes(32).toString('base64url') };
  writeSecretJson(file, stored);
  env.AUTH_TOKEN_SECRET = stored.secret;
}

/**
 * A stable local master key for the credential vault, so stored credentials survive restarts.
 * Losing it makes them unreadable: back it up with the database (or use VAULT_KEY_PROVIDER=aws-kms).
 */
function ensureVaultKey() {
  if (env.VAULT_LOCAL_MASTER_KEY || env.VAULT_KEY_PROVIDER === 'aws-kms') return;
  const file = path.join(stateDir, 'vault-master-key.json');
  const stored = readJson(file, null) ?? { key: crypto.randomBytes(32).toString('base64') };
  writeSecretJson(file, stored);
  env.VAULT_LOCAL_MASTER_KEY = stored.key;
}

/** Runs a built entry point to completion, returning its stdout. */
function runToCompletion(entry, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, entry), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${entry} exited with ${code}`))));
  });
}

const DEMO_EMAIL = 'demo@mooring.local';
const lastLine = (output) => JSON.parse(output.trim().split('\n').at(-1));

/** The demo organization, its admin API client and its admin person (added to a demo org from before people). */
async function ensureDemoOrganization() {
  const file = path.join(stateDir, 'demo-credentials.json');
  let demo = readJson(file, null);
  if (!demo || demo.databaseUrl !== env.DATABASE_URL) {
    const output = await runToCompletion('apps/api/dist/cli/org-create.js', [
      '--name',
      'demo',
      '--admin-email',
      DEMO_EMAIL,
      '--json',
    ]);
    demo = { ...lastLine(output), databaseUrl: env.DATABASE_URL };
    writeSecretJson(file, demo);
  }
  if (!demo.adminEmail) {
    const output = await runToCompletion('apps/api/dist/cli/user-create.js', [
      '--org',
      demo.orgId,
      '--email',
      DEMO_EMAIL,
      '--json',
    ]);
    const person = lastLine(output);
    demo = { ...demo, adminEmail: person.email, adminPassword: person.password };
    writeSecretJson(file, demo);
  }
  return demo;
}

/**
 * The demo tool: the fake integration's server, in this process, on loopback, paging slowly
 * enough that the console shows entities arriving. Its token is kept with the local state.
 */
async function startDemoTool() {
  const { FakeToolServer } = await import('@mooring/integrations');
  const file = path.join(stateDir, 'demo-tool.json');
  const stored = readJson(file, null) ?? { token: `demo_${crypto.randomBytes(24).toString('base64url')}` };
  writeSecretJson(file, stored);
  const tool = await FakeToolServer.start({
    token: stored.token,
    counts: { team: 6, service: 60, deployment: 240 },
    pageSize: 10,
    latencyMs: 150,
  });
  stops.push(() => tool.close());
  return { baseUrl: tool.baseUrl, token: stored.token };
}

/** Installs the demo tool in the demo organization through the API (or points it at this start's port) and resyncs it. */
async function installDemoTool(apiUrl, demo, tool) {
  const call = async (method, route, token, body) => {
    const response = await fetch(`${apiUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
  const auth = await call('POST', '/v1/auth/access_token', null, { clientId: demo.clientId, clientSecret: demo.clientSecret });
  if (auth.status !== 200) throw new Error(`the demo client could not sign in (${auth.status})`);
  const token = auth.body.accessToken;
  const { body } = await call('GET', '/v1/installations', token);
  const existing = body.installations.find((installation) => installation.name === 'Demo tool');
  const settings = { baseUrl: tool.baseUrl, token: tool.token };
  const saved = existing
    ? existing.settings.baseUrl === tool.baseUrl
      ? { status: 200 }
      : await call('PATCH', `/v1/installations/${existing.id}`, token, { settings })
    : await call('POST', '/v1/installations', token, {
        integrationId: 'fake',
        name: 'Demo tool',
        settings,
        schedule: { every: '15m' },
      });
  if (saved.status >= 300) throw new Error(`installing the demo tool failed: ${JSON.stringify(saved.body)}`);
  if (existing) await call('POST', `/v1/installations/${existing.id}/resync`, token);
}

async function startApp(name, entry) {
  const { prettyFactory } = await import('pino-pretty');
  const child = spawn(process.execPath, [path.join(repoRoot, entry)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const format = prettyFactory({
    colorize: process.stdout.isTTY,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname,service',
    singleLine: true,
    messageFormat: `[${name}] {msg}`,
  });
  readline
    .createInterface({ input: child.stdout })
    .on('line', (line) => process.stdout.write(line.startsWith('{') ? format(line) : `${line}\n`));
  child.stderr.pipe(process.stderr);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited unexpectedly (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(child);
}

async function waitForApi(url) {
  const { waitFor } = await import('./lib/wait.mjs');
  await waitFor(`the api at ${url}`, async () => {
    const response = await fetch(`${url}/health`);
    if (!response.ok) throw new Error(`health answered ${response.status}`);
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(
    children
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))),
  );
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}

async function main() {
  checkNode();
  ensureDependencies();
  build();
  fs.mkdirSync(stateDir, { recursive: true });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  await startInfrastructure();
  ensureTokenSecret();
  ensureVaultKey();
  const { deploy } = await import('./db-migrate.mjs');
  await deploy(env.DATABASE_MIGRATION_URL, { log: say });
  const demo = await ensureDemoOrganization();
  const tool = await startDemoTool();

  env.API_PORT ??= '3000';
  // A demo stack: the fake tool is on offer, and installations may reach the demo tool's loopback origin.
  env.INTEGRATIONS_FAKE_ENABLED ??= 'true';
  env.DEMO_TOOL_ORIGIN = tool.baseUrl;
  await startApp('api', 'apps/api/dist/main.js');
  await startApp('scheduler', 'apps/scheduler/dist/main.js');
  await startApp('worker', 'apps/worker/dist/main.js');
  const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
  await waitForApi(apiUrl);
  await installDemoTool(apiUrl, demo, tool);

  process.stdout.write(`
──────────────────────────────────────────────────────────────────────────────
 Mooring is running
   Console        ${apiUrl}/   (API docs: ${apiUrl}/docs, health: ${apiUrl}/health)
   Demo org       ${demo.name} (${demo.orgId}), with a "Demo tool" installation syncing now
   Sign in as     ${demo.adminEmail}
   password       ${demo.adminPassword}
   API client     clientId ${demo.clientId}
                  clientSecret ${demo.clientSecret}

 Get a token and call the API:
   TOKEN=$(curl -s -X POST ${apiUrl}/v1/auth/access_token -H 'content-type: application/json' \\
     -d '{"clientId":"${demo.clientId}","clientSecret":"${demo.clientSecret}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
   curl -s ${apiUrl}/v1/organization -H "authorization: Bearer $TOKEN"

 Local data lives in .mooring/ (delete it to start over). Ctrl-C stops everything.
──────────────────────────────────────────────────────────────────────────────
`);
}

main().catch(async (error) => {
  process.stderr.write(`[mooring] ${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
});
