export const TEMPLATE_DATABASE = 'mooring_test_template';

/** The URL of `database` on the server of `serverUrl`, logging in as `role`. */
export function withDatabase(serverUrl: string, database: string, role: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}
