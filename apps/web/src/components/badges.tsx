import type { InstallationState, RunStatus } from '../api/types';

type Tone = 'success' | 'danger' | 'warning' | 'info' | 'neutral';

export function Badge({ tone = 'neutral', live, children }: { tone?: Tone; live?: boolean; children: string }) {
  return (
    <span className={`badge ${tone}${live ? ' live' : ''}`}>
      <span className="dot" aria-hidden="true" />
      {children}
    </span>
  );
}

const RUN_TONES: Readonly<Record<RunStatus, Tone>> = {
  pending: 'info',
  running: 'info',
  completed: 'success',
  failed: 'danger',
  aborted: 'warning',
  skipped: 'neutral',
};

const RUN_LABELS: Readonly<Record<RunStatus, string>> = {
  pending: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  aborted: 'Aborted',
  skipped: 'Skipped',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <Badge tone={RUN_TONES[status] ?? 'neutral'} live={status === 'running' || status === 'pending'}>
      {RUN_LABELS[status] ?? status}
    </Badge>
  );
}

export function InstallationStateBadge({ state, enabled }: { state: InstallationState; enabled: boolean }) {
  if (!enabled || state === 'disabled') return <Badge tone="neutral">Disabled</Badge>;
  if (state === 'needs_reauth') return <Badge tone="danger">Needs new credentials</Badge>;
  return <Badge tone="success">Active</Badge>;
}

export function isActiveRun(status: RunStatus | undefined): boolean {
  return status === 'pending' || status === 'running';
}
