import { z } from 'zod';
import { envVar, positiveInt } from '@mooring/platform';

export const LIVE_EVENTS_OPTIONS = Symbol('LIVE_EVENTS_OPTIONS');

export interface LiveEventsOptions {
  /** The origin tools reach the api at: hook URLs are `<publicUrl>/v1/hooks/<hookId>`. */
  readonly publicUrl: string;
  /** How long the secret before a rotation stays valid. */
  readonly rotationOverlapSeconds: number;
}

export const LIVE_EVENTS_OAUTH_CLIENTS = Symbol('LIVE_EVENTS_OAUTH_CLIENTS');

/** The platform's OAuth applications by integration id (OAUTH_CLIENTS): some tools sign deliveries with their secret. */
export type OAuthClientSecrets = Readonly<Record<string, { readonly clientSecret: string }>>;

export const LIVE_EVENTS_PLATFORM_APPS = Symbol('LIVE_EVENTS_PLATFORM_APPS');

/**
 * The platform's own Apps by integration id (GITHUB_APP_*), for each App's one webhook: the secret
 * that signs its deliveries, and the normalized API base URL of the instance it lives on (App and
 * installation ids are numbered per instance, so a delivery routes only to installations there).
 */
export type PlatformApps = Readonly<Record<string, { readonly webhookSecret: string; readonly apiBase: string }>>;

// Configuration of live events, composed into the api's and workers' config (README lists every variable).
export const liveEventsGroup = {
  publicUrl: envVar('PUBLIC_API_URL', z.url().default('http://127.0.0.1:3000'), {
    description: 'The origin tools reach this api at, for webhook URLs (https://mooring.example.com)',
  }),
  rotationOverlapSeconds: envVar('WEBHOOK_SECRET_OVERLAP_SECONDS', positiveInt().default(3_600), {
    description: 'How long a webhook secret stays valid after it is rotated, while the tool learns the new one',
  }),
  concurrency: envVar('LIVE_EVENTS_CONCURRENCY', positiveInt().max(64).default(8), {
    description: 'Live-event jobs a worker runs at once (one installation is applied by one worker at a time)',
  }),
  lockSeconds: envVar('LIVE_EVENTS_LOCK_SECONDS', positiveInt().min(5).default(30), {
    description: 'How long a live-event job stays with a worker without renewal: a killed worker’s job is taken over after it',
  }),
  bodyLimitBytes: envVar('WEBHOOK_BODY_LIMIT_BYTES', positiveInt().default(5 * 1024 * 1024), {
    description: 'Largest webhook delivery accepted (bytes); a larger one is refused with 413 before it is read',
  }),
};
