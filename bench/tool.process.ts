import readline from 'node:readline';
import { benchScenario } from '@mooring/integrations/testing';

// An integration's fake tool in a process of its own, so a benchmark measures the engine, not the
// server. Arguments: the integration id and its scenario's options (JSON). Prints
// `{"settings","token"}`; then answers each line on stdin with the tool's counters.

const [id, optionsJson] = process.argv.slice(2);
const tool = await (await benchScenario(id!)).startTool(JSON.parse(optionsJson!) as Record<string, string>);
process.stdout.write(`${JSON.stringify({ settings: tool.settings, token: tool.token })}\n`);
for await (const _ of readline.createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify(tool.counters())}\n`);
}
await tool.close();
