import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// The checks tools' webhook signatures need, each timing-safe. Integrations' `verify` use these and
// never compare secrets or signatures with `===`.

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * Whether any of `signatures` (as the tool sent them, e.g. `sha256=<hex>` or PagerDuty's several
 * `v1=<hex>`) is the HMAC of `payload` under any of `secrets`. A signature without `prefix` or not
 * in `encoding` never matches.
 */
export function hmacMatches(options: {
  readonly algorithm: HmacAlgorithm;
  readonly secrets: readonly string[];
  readonly payload: Buffer | string;
  readonly signatures: readonly string[];
  readonly prefix?: string;
  readonly encoding?: 'hex' | 'base64';
}): boolean {
  const encoding = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  const presented = options.signatures
    .map((signature) => signature.trim())
    .filter((signature) => signature.startsWith(prefix))
    .map((signature) => Buffer.from(signature.slice(prefix.length), encoding));
  let matched = false;
  for (const secret of options.secrets) {
    if (!secret) continue;
    const expected = createHmac(options.algorithm, secret).update(options.payload).digest();
    // Every pair is compared, so the time taken does not tell which one matched.
    for (const candidate of presented) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}

/** Whether a plain shared token (GitLab's `X-Gitlab-Token`) is one of `secrets`, compared in constant time. */
export function tokenMatches(secrets: readonly string[], presented: string | undefined): boolean {
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = digest(presented);
  let matched = false;
  for (const secret of secrets) if (secret && timingSafeEqual(digest(secret), given)) matched = true;
  return matched;
}

/** Whether a delivery's own timestamp is within `toleranceSeconds` of when it arrived (either side). */
export function isFresh(sentAt: Date, receivedAt: Date, toleranceSeconds: number): boolean {
  const skew = Math.abs(receivedAt.getTime() - sentAt.getTime());
  return Number.isFinite(skew) && skew <= toleranceSeconds * 1000;
}
