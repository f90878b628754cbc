/**
 * What a browser does during an OAuth flow, without a browser: follow redirects one hop at a time
 * (fetch with redirect: 'manual'), keep cookies per host and send them back, record every hop.
 * It also calls the api as the web app does from that browser: with its cookies and the CSRF
 * cookie's value in x-csrf-token.
 */
export class HeadlessBrowser {
  /** Every URL visited and every Location and body received, for leak scans. */
  readonly transcript: string[] = [];
  private readonly cookies = new Map<string, Map<string, string>>();

  async navigate(url: string, maxHops = 10): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    for (let hop = 0; hop <= maxHops; hop++) {
      const response = await this.fetch(current, { method: 'GET' });
      const body = await response.text();
      const location = response.headers.get('location');
      this.transcript.push(current, location ?? '', body);
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, status: response.status, body };
      current = new URL(location, current).toString();
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }

  /** A call of the web app to the api at `url`, from this browser. */
  async send(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const host = new URL(url).host;
    const csrf = this.cookies.get(host)?.get('mooring_csrf');
    const headers: Record<string, string> = { ...(csrf ? { 'x-csrf-token': csrf } : {}) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    this.transcript.push(url, text);
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  /** The cookie `name` this browser holds for `url`'s host. */
  cookie(url: string, name: string): string | undefined {
    return this.cookies.get(new URL(url).host)?.get(name);
  }

  private async fetch(url: string, init: { method: string; headers?: Record<string, string>; body?: string | undefined }) {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = pair!.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(header) || /max-age=0/i.test(header)) jar.delete(name!.trim());
      else jar.set(name!.trim(), value.join('=').trim());
    }
    this.cookies.set(host, jar);
    return response;
  }
}
