// What the console remembers across the OAuth redirect, to offer "try again" on return.
// Only ids: nothing secret is stored in the browser.
const KEY = 'mooring.connect-attempt';

export interface ConnectAttempt {
  readonly integrationId: string;
  readonly installationId: string | null;
}

export function rememberConnectAttempt(attempt: ConnectAttempt): void {
  sessionStorage.setItem(KEY, JSON.stringify(attempt));
}

export function recallConnectAttempt(): ConnectAttempt | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<ConnectAttempt> | null;
    return value && typeof value.integrationId === 'string'
      ? {
          integrationId: value.integrationId,
          installationId: typeof value.installationId === 'string' ? value.installationId : null,
        }
      : null;
  } catch {
    return null;
  }
}
