import { DomainError } from '@mooring/platform';

/**
 * The part of the web an installation's credentials belong to: a scheme, host and port, and a path
 * prefix (`https://ghe.example.com/api/v3`). Every request with the credentials stays under it,
 * whatever a tool's answer links to: a `next` link elsewhere would hand the token to another host.
 */
export class ApiRoot {
  readonly url: URL;
  private readonly prefix: string;

  constructor(
    root: string,
    private readonly tool: string,
  ) {
    this.url = new URL(root);
    this.prefix = this.url.pathname.replace(/\/+$/, '');
  }

  get origin(): string {
    return this.url.origin;
  }

  /** `root + path` with query parameters (`undefined` values left out). */
  resolve(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): URL {
    const url = new URL(`${this.origin}${this.prefix}${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  /**
   * A URL the tool gave (absolute, or relative to `base`), if it lies under the root. Refused
   * otherwise, as an answer the tool will give again (`status` is the answer that carried the link),
   * so the run does not retry it.
   */
  check(link: string | URL, base?: URL, status = 200): URL {
    let url: URL;
    try {
      url = new URL(link, base ?? this.url);
    } catch {
      throw new DomainError('UPSTREAM_FAILED', `${this.tool} sent a link that is not a URL; not following it`, {
        status,
        reason: 'invalid_link',
      });
    }
    const path = url.pathname;
    const under =
      url.origin === this.origin && (this.prefix === '' || path === this.prefix || path.startsWith(`${this.prefix}/`));
    if (!under || url.username || url.password) {
      throw new DomainError(
        'UPSTREAM_FAILED',
        `${this.tool} sent a link outside its API (${url.origin}); not following it with the installation's credentials`,
        { status, reason: 'outside_api_root', host: url.origin, apiRoot: `${this.origin}${this.prefix}` },
      );
    }
    return url;
  }
}
