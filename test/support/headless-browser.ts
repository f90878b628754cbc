/**
 * What a browser does during an OAuth flow, without a browser: follow redirects one hop at a time
 * (fetch with redirect: 'manual'), keep cookies per host and send them back, record every hop.
 */
export class HeadlessBrowser {
  /** Every URL visited and every Location and body received, for leak scans. */
  readonly transcript: string[] = [];
  private readonly cookies = new Map<string, Map<string, string>>();

  async navigate(url: string, maxHops = 10): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    for (let hop = 0; hop <= maxHops; hop++) {
      const target = new URL(current);
      const jar = this.cookies.get(target.host) ?? new Map<string, string>();
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(';');
        const [name, ...value] = pair!.split('=');
        jar.set(name!.trim(), value.join('=').trim());
      }
      this.cookies.set(target.host, jar);
      const body = await response.text();
      const location = response.headers.get('location');
      this.transcript.push(current, location ?? '', body);
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, status: response.status, body };
      current = new URL(location, current).toString();
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }
}
