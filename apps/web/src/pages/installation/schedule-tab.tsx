import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm, useWatch } from 'react-hook-form';
import { call, isApiError } from '../../api/client';
import { keys } from '../../api/queries';
import type { InstallationView } from '../../api/types';
import { useHasRole } from '../../app/session';
import { ErrorMessage } from '../../components/states';
import { formatDateTime, formatRelative } from '../../lib/format';

const PRESETS = [
  ['15m', 'Every 15 minutes'],
  ['30m', 'Every 30 minutes'],
  ['1h', 'Every hour'],
  ['2h', 'Every 2 hours'],
  ['6h', 'Every 6 hours'],
  ['12h', 'Every 12 hours'],
  ['24h', 'Every day'],
] as const;

interface ScheduleForm {
  mode: 'every' | 'cron';
  every: string;
  cron: string;
  timezone: string;
}

const TIME_ZONES: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

/** Presets or cron with a time zone; the api computes the next run and answers with it. */
export function ScheduleTab({ installation }: { installation: InstallationView }) {
  const isAdmin = useHasRole('admin');
  const queryClient = useQueryClient();
  const schedule = installation.schedule;
  const form = useForm<ScheduleForm>({
    defaultValues:
      'every' in schedule
        ? { mode: 'every', every: schedule.every, cron: '0 6 * * *', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone }
        : { mode: 'cron', every: '1h', cron: schedule.cron, timezone: schedule.timezone },
  });
  const save = useMutation({
    mutationFn: (values: ScheduleForm) =>
      call(api.installations.update, {
        params: { id: installation.id },
        body: {
          schedule: values.mode === 'every' ? { every: values.every } : { cron: values.cron.trim(), timezone: values.timezone },
        },
      }),
    onSuccess: async ({ installation: saved }) => {
      queryClient.setQueryData(keys.installation(installation.id), (previous: { installation: InstallationView } | undefined) =>
        previous ? { installation: { ...previous.installation, ...saved } } : previous,
      );
      await queryClient.invalidateQueries({ queryKey: keys.installations });
    },
    onError: (error) => {
      // The api names them `schedule.cron`; the form, `cron`. An issue on the schedule as a whole goes to the shown field.
      if (!isApiError(error)) return;
      for (const issue of error.fields) {
        const field = issue.field.replace(/^schedule\.?/, '');
        const target = field === 'every' || field === 'cron' || field === 'timezone' ? field : form.getValues('mode');
        form.setError(target, { type: 'server', message: issue.message });
      }
    },
  });
  const mode = useWatch({ control: form.control, name: 'mode' });
  const every = useWatch({ control: form.control, name: 'every' });
  const timezone = useWatch({ control: form.control, name: 'timezone' });
  const { errors } = form.formState;
  const presetKnown = PRESETS.some(([value]) => value === every);

  return (
    <section className="card" aria-labelledby="schedule-heading">
      <div className="card-header">
        <h2 id="schedule-heading">Schedule</h2>
        <span data-testid="next-run">
          Next run:{' '}
          {installation.nextRunAt ? (
            <strong title={formatDateTime(installation.nextRunAt)}>
              {formatRelative(installation.nextRunAt)} ({formatDateTime(installation.nextRunAt)})
            </strong>
          ) : (
            <span className="muted">not scheduled (disabled or waiting for new credentials)</span>
          )}
        </span>
      </div>
      <form className="card-body form" noValidate onSubmit={form.handleSubmit((values) => save.mutate(values))}>
        <fieldset className="stack" style={{ border: 'none', padding: 0, margin: 0 }} disabled={!isAdmin}>
          <legend className="label">Resync</legend>
          <label className="checkbox">
            <input type="radio" value="every" {...form.register('mode')} /> On an interval
          </label>
          {mode === 'every' ? (
            <div className="field" style={{ marginLeft: 24 }}>
              <label htmlFor="schedule-every">Interval</label>
              <select id="schedule-every" aria-invalid={errors.every ? true : undefined} {...form.register('every')}>
                {PRESETS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
                {!presetKnown ? <option value={every}>Every {every}</option> : null}
              </select>
              {errors.every ? (
                <span className="field-error" role="alert">
                  Interval {errors.every.message}
                </span>
              ) : null}
            </div>
          ) : null}
          <label className="checkbox">
            <input type="radio" value="cron" {...form.register('mode')} /> On a cron schedule
          </label>
          {mode === 'cron' ? (
            <div className="stack" style={{ marginLeft: 24 }}>
              <div className="field">
                <label htmlFor="schedule-cron">Cron expression</label>
                <span className="hint" id="schedule-cron-hint">
                  Five fields: minute hour day-of-month month day-of-week, e.g. <code>0 6 * * 1-5</code> (weekdays at 06:00).
                </span>
                <input
                  id="schedule-cron"
                  className="mono"
                  aria-describedby={`schedule-cron-hint${errors.cron ? ' schedule-cron-error' : ''}`}
                  aria-invalid={errors.cron ? true : undefined}
                  {...form.register('cron', { validate: (value) => (value.trim() ? true : 'is required') })}
                />
                {errors.cron ? (
                  <span className="field-error" id="schedule-cron-error" role="alert">
                    Cron expression {errors.cron.message}
                  </span>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor="schedule-timezone">Time zone</label>
                <select id="schedule-timezone" aria-invalid={errors.timezone ? true : undefined} {...form.register('timezone')}>
                  {(TIME_ZONES.includes(timezone) ? TIME_ZONES : [timezone, ...TIME_ZONES]).map((zone) => (
                    <option key={zone} value={zone}>
                      {zone}
                    </option>
                  ))}
                </select>
                {errors.timezone ? (
                  <span className="field-error" role="alert">
                    Time zone {errors.timezone.message}
                  </span>
                ) : null}
              </div>
            </div>
          ) : null}
        </fieldset>
        {save.isError && !Object.keys(errors).length ? <ErrorMessage error={save.error} /> : null}
        {save.isSuccess ? (
          <p className="badge success" role="status">
            Schedule saved
          </p>
        ) : null}
        {isAdmin ? (
          <div>
            <button type="submit" className="primary" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save schedule'}
            </button>
          </div>
        ) : (
          <p className="muted">Only admins can change the schedule.</p>
        )}
      </form>
    </section>
  );
}
