import type { InstallationState, StateTransition } from '@mooring/persistence';

// The installation's state machine: Mooring's view of its connection, apart from the organization's
// own `enabled` switch.
//
//   active                 ── the tool refused the credentials ──▶ needs_reauth
//   active                 ── the tool withdrew access (App suspended, uninstalled) ──▶ needs_reauth
//   needs_reauth (withdrawn) ── the tool restored access (App unsuspended) ──▶ active
//   active, needs_reauth   ── the stored credentials are unreadable ──▶ disabled
//   needs_reauth, disabled ── new credentials (rotation, reconnect) ──▶ active
//
// A transition is applied only from the states listed, so a late or repeated report changes
// nothing (the first reason stays). What goes with each is the lifecycle's (installation-lifecycle.ts).

/** The tool refused the stored credentials (a token revoked, a refresh refused): someone must reconnect. */
export function credentialsRefused(reason: string): StateTransition {
  return { to: 'needs_reauth', reason, from: ['active'] };
}

/** Why an installation whose access the tool withdrew needs attention; restoring access undoes only this. */
export const ACCESS_WITHDRAWN = 'access withdrawn at the tool: ';

/** The tool says it withdrew the installation's access (a GitHub App suspended or uninstalled). */
export function accessWithdrawn(reason: string): StateTransition {
  return { to: 'needs_reauth', reason: `${ACCESS_WITHDRAWN}${reason}`, from: ['active'] };
}

/** The tool restored access it had withdrawn (a GitHub App unsuspended); the caller checks the reason was a withdrawal. */
export function accessRestored(): StateTransition {
  return { to: 'active', reason: null, from: ['needs_reauth'] };
}

/** The stored credentials failed their integrity check: someone must enter them again. */
export function credentialsUnreadable(reason: string): StateTransition {
  return { to: 'disabled', reason, from: ['active', 'needs_reauth'] };
}

/** New credentials were stored: the installation works again. */
export function credentialsReplaced(): StateTransition {
  return { to: 'active', reason: null, from: ['needs_reauth', 'disabled'] };
}

/** Only installations the organization enabled and whose credentials work have a schedule. */
export function isSchedulable(installation: { readonly enabled: boolean; readonly state: InstallationState }): boolean {
  return installation.enabled && installation.state === 'active';
}
