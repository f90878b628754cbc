import type { InstallationState, StateTransition } from '@mooring/persistence';

// The installation's state machine: Mooring's view of its connection, apart from the organization's
// own `enabled` switch.
//
//   active                 ── the tool refused the credentials ──▶ needs_reauth
//   active, needs_reauth   ── the stored credentials are unreadable ──▶ disabled
//   needs_reauth, disabled ── new credentials (rotation, reconnect) ──▶ active
//
// A transition is applied only from the states listed, so a late or repeated report changes
// nothing (the first reason stays). What goes with each is the lifecycle's (installation-lifecycle.ts).

/** The tool refused the stored credentials (a token revoked, a refresh refused): someone must reconnect. */
export function credentialsRefused(reason: string): StateTransition {
  return { to: 'needs_reauth', reason, from: ['active'] };
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
