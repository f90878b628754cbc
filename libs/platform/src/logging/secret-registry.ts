/**
 * Secret values that must never reach a log line, whatever field or message they end up in:
 * configuration secrets (registered at boot) and credentials decrypted at run time. Key-based
 * redaction cannot catch a token pasted into an error message; matching the values can.
 * Runtime secrets are capped (oldest forgotten first) so a long-lived worker stays bounded.
 */
const MAX_RUNTIME_SECRETS = 5_000;
const MIN_SECRET_LENGTH = 6;

const permanent = new Set<string>();
const runtime = new Set<string>();
let pattern: RegExp | undefined;
let dirty = false;

function variants(secret: string): string[] {
  const encoded = JSON.stringify(secret).slice(1, -1);
  return encoded === secret ? [secret] : [secret, encoded];
}

export function registerSecret(secret: string, { runtime: isRuntime = false } = {}): void {
  if (secret.length < MIN_SECRET_LENGTH) return;
  const target = isRuntime ? runtime : permanent;
  if (target.has(secret)) return;
  target.add(secret);
  if (runtime.size > MAX_RUNTIME_SECRETS) {
    const oldest = runtime.values().next().value;
    if (oldest !== undefined) runtime.delete(oldest);
  }
  dirty = true;
}

export function forgetSecret(secret: string): void {
  if (runtime.delete(secret)) dirty = true;
}

function currentPattern(): RegExp | undefined {
  if (dirty) {
    const all = [...permanent, ...runtime].flatMap(variants).sort((a, b) => b.length - a.length);
    pattern = all.length ? new RegExp(all.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;
    dirty = false;
  }
  return pattern;
}

export const REDACTED = '[redacted]';

/** Replaces every registered secret in `text`. */
export function scrubSecrets(text: string): string {
  const current = currentPattern();
  return current ? text.replace(current, REDACTED) : text;
}
