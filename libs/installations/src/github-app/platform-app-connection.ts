import { appInstallationSettingsUrl } from '@mooring/integrations';
import type { InstallationRecord, PlatformAppLink } from '@mooring/persistence';

/** How an installation of Mooring's own GitHub App is connected, as people and API clients see it (never a secret). */
export interface PlatformAppConnection {
  readonly kind: 'mooring-github-app';
  readonly account: string;
  readonly accountType: string;
  readonly appInstallationId: string;
  /** Where the account's owners manage its repository access on GitHub; null for an account type without such a page. */
  readonly manageUrl: string | null;
}

export function platformAppConnection(installation: InstallationRecord, link: PlatformAppLink): PlatformAppConnection {
  return {
    kind: 'mooring-github-app',
    account: link.account.login,
    accountType: link.account.type,
    appInstallationId: link.externalId,
    // The installation's settings hold the App's GitHub instance (its host, unless github.com).
    manageUrl: appInstallationSettingsUrl(installation.settings, link.account, link.externalId),
  };
}
