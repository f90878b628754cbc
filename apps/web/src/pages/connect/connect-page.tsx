import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { call } from '../../api/client';
import { keys, useInstallation, useIntegration } from '../../api/queries';
import { asSettingsSchema, type InstallationView, type IntegrationView, type SettingsSchema } from '../../api/types';
import { useHasRole } from '../../app/session';
import { PageHeader } from '../../components/page-header';
import { SchemaFields } from '../../components/schema-fields';
import { ErrorMessage, ErrorState, Loading } from '../../components/states';
import { applyFieldErrors } from '../../lib/form-errors';
import { rememberConnectAttempt } from './connect-attempt';

/**
 * Connect a tool (or reconnect an installation with `?reconnect=<id>`): OAuth as one button, and
 * the custom-settings form generated from the integration's JSON Schema, verified live on save.
 */
export function ConnectPage() {
  const { integrationId = '' } = useParams();
  const [params] = useSearchParams();
  const reconnectId = params.get('reconnect');
  const integration = useIntegration(integrationId);
  const isAdmin = useHasRole('admin');

  if (!isAdmin) {
    return (
      <>
        <PageHeader title="Connect a tool" />
        <div className="banner warning" role="status">
          <div>
            <strong>Only admins can connect tools</strong>
            <p>Ask an admin of your organization to connect it, or to change your role.</p>
          </div>
        </div>
      </>
    );
  }
  if (integration.isPending) return <Loading label="Loading the integration…" />;
  if (integration.isError) return <ErrorState error={integration.error} onRetry={() => void integration.refetch()} />;
  return reconnectId ? (
    <Reconnect integration={integration.data.integration} installationId={reconnectId} />
  ) : (
    <Connect integration={integration.data.integration} />
  );
}

function Connect({ integration }: { integration: IntegrationView }) {
  return (
    <>
      <PageHeader
        title={`Connect ${integration.title}`}
        description={integration.description}
        breadcrumbs={<Link to="/integrations">Integrations</Link>}
      />
      <div className="stack" style={{ maxWidth: 720 }}>
        {integration.app ? <AppCard integration={integration} /> : null}
        {integration.oauth2 ? <OAuthCard integration={integration} /> : null}
        {integration.customSettings ? <CustomSettingsCard integration={integration} /> : null}
      </div>
    </>
  );
}

function Reconnect({ integration, installationId }: { integration: IntegrationView; installationId: string }) {
  const installation = useInstallation(installationId);
  if (installation.isPending) return <Loading label="Loading the data source…" />;
  if (installation.isError) return <ErrorState error={installation.error} onRetry={() => void installation.refetch()} />;
  const current = installation.data.installation;
  return (
    <>
      <PageHeader
        title={`Reconnect ${current.name}`}
        description="Give Mooring new credentials; the data source keeps its mapping, schedule and entities."
        breadcrumbs={
          <>
            <Link to="/data-sources">Data sources</Link> /{' '}
            <Link to={`/installations/${current.id}/settings`}>{current.name}</Link>
          </>
        }
      />
      <div className="stack" style={{ maxWidth: 720 }}>
        {current.authMethod === 'oauth2' && integration.oauth2 ? (
          <OAuthCard integration={integration} installation={current} />
        ) : null}
        {current.connectedThrough ? (
          <AppReconnectCard app={current.connectedThrough} />
        ) : current.authMethod === 'custom_settings' && integration.customSettings ? (
          <CustomSettingsCard integration={integration} installation={current} />
        ) : null}
      </div>
    </>
  );
}

/** An installation of Mooring's App has no credentials to type: its access is given back on the tool. */
function AppReconnectCard({ app }: { app: NonNullable<InstallationView['connectedThrough']> }) {
  return (
    <section className="card" aria-labelledby="app-reconnect-heading" data-testid="app-reconnect">
      <div className="card-header">
        <h2 id="app-reconnect-heading">Connected through Mooring’s GitHub App</h2>
      </div>
      <div className="card-body stack">
        <p className="muted" style={{ margin: 0 }}>
          There is no token or key to enter here: the App’s credentials are Mooring’s. If GitHub withdrew its access (the
          installation on {app.account} was suspended), an owner of {app.account} lifts the suspension on GitHub; GitHub tells
          Mooring’s App, and this data source resumes with its mapping, schedule and entities.
        </p>
        {app.manageUrl ? (
          <div className="row">
            <a className="button" href={app.manageUrl} target="_blank" rel="noopener noreferrer">
              Open the installation on GitHub
            </a>
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** Mooring's own App, installed on the tool (GitHub asks which account and repositories), then back here. */
function AppCard({ integration }: { integration: IntegrationView }) {
  const form = useForm<{ name: string }>({ defaultValues: { name: integration.title } });
  const start = useMutation({
    mutationFn: (values: { name: string }) =>
      call(api.githubApp.install, { body: { returnUrl: `${window.location.origin}/connect/return`, name: values.name } }),
    onSuccess: ({ authorizationUrl }) => {
      const url = new URL(authorizationUrl);
      // Only a real GitHub address: never a javascript: or data: URL from anywhere.
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('unexpected install URL');
      rememberConnectAttempt({ integrationId: integration.id, installationId: null });
      window.location.assign(url.toString());
    },
    onError: (error) => applyFieldErrors(error, form.setError, ['name']),
  });
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="app-heading">
      <div className="card-header">
        <h2 id="app-heading">Install the {integration.title} App</h2>
      </div>
      <form className="card-body form" noValidate onSubmit={form.handleSubmit((values) => start.mutate(values))}>
        <p className="muted" style={{ margin: 0 }}>
          Recommended. You choose the account and repositories on {integration.title}; Mooring reads them with short-lived tokens
          of its App, and no personal token is stored.
        </p>
        <NameField register={form.register} error={errors.name?.message} id="app-name" />
        {start.isError && !Object.keys(errors).length ? <ErrorMessage error={start.error} /> : null}
        <div>
          <button type="submit" className="primary" disabled={start.isPending}>
            {start.isPending ? 'Opening…' : `Install the ${integration.title} App`}
          </button>
        </div>
      </form>
    </section>
  );
}

interface OAuthForm {
  name: string;
  settings: Record<string, string>;
  oauthClient: { clientId: string; clientSecret: string };
}

function OAuthCard({ integration, installation }: { integration: IntegrationView; installation?: InstallationView }) {
  const oauth = integration.oauth2!;
  const form = useForm<OAuthForm>({
    defaultValues: { name: installation ? '' : integration.title, settings: {}, oauthClient: { clientId: '', clientSecret: '' } },
  });
  const needsClient = !oauth.mooringClient;
  const oauthSettings = asSettingsSchema(oauth.settings);
  const fields = Object.keys(oauthSettings.properties ?? {});
  const start = useMutation({
    mutationFn: (values: OAuthForm) =>
      call(api.oauth.connect, {
        body: {
          integrationId: integration.id,
          returnUrl: `${window.location.origin}/connect/return`,
          ...(installation ? { installationId: installation.id } : { name: values.name }),
          ...(fields.length && !installation ? { settings: nonEmpty(values.settings) } : {}),
          ...(needsClient ? { oauthClient: values.oauthClient } : {}),
        },
      }),
    onSuccess: ({ authorizationUrl }) => {
      const url = new URL(authorizationUrl);
      // Only a real provider address: never a javascript: or data: URL from anywhere.
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('unexpected authorization URL');
      rememberConnectAttempt({ integrationId: integration.id, installationId: installation?.id ?? null });
      window.location.assign(url.toString());
    },
    onError: (error) =>
      applyFieldErrors(error, form.setError, ['name', ...fields.map((field) => `settings.${field}`), 'oauthClient.clientId']),
  });
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="oauth-heading">
      <div className="card-header">
        <h2 id="oauth-heading">{installation ? 'Reconnect with OAuth' : `Connect with ${integration.title} (OAuth)`}</h2>
      </div>
      <form className="card-body form" noValidate onSubmit={form.handleSubmit((values) => start.mutate(values))}>
        <p className="muted" style={{ margin: 0 }}>
          You will be sent to {integration.title} to approve access{oauth.scopes.length ? ` (${oauth.scopes.join(', ')})` : ''},
          then brought back here.
        </p>
        {!installation ? <NameField register={form.register} error={errors.name?.message} id="oauth-name" /> : null}
        {!installation && fields.length ? (
          <SchemaFields schema={oauthSettings} prefix="settings" register={form.register} errors={errors} />
        ) : null}
        {needsClient ? (
          <SchemaFields schema={OAUTH_CLIENT_SCHEMA} prefix="oauthClient" register={form.register} errors={errors} />
        ) : null}
        {start.isError && !Object.keys(errors).length ? <ErrorMessage error={start.error} /> : null}
        <div>
          <button type="submit" className="primary" disabled={start.isPending}>
            {start.isPending
              ? 'Opening…'
              : installation
                ? `Reconnect with ${integration.title}`
                : `Connect with ${integration.title}`}
          </button>
        </div>
      </form>
    </section>
  );
}

const OAUTH_CLIENT_SCHEMA: SettingsSchema = {
  type: 'object',
  required: ['clientId', 'clientSecret'],
  properties: {
    clientId: { type: 'string', title: 'OAuth client ID', description: "Your OAuth application's client ID" },
    clientSecret: { type: 'string', title: 'OAuth client secret', writeOnly: true },
  },
};

interface SettingsForm {
  name: string;
  settings: Record<string, string>;
}

function CustomSettingsCard({ integration, installation }: { integration: IntegrationView; installation?: InstallationView }) {
  const custom = integration.customSettings!;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const schema = asSettingsSchema(custom.schema);
  const names = Object.keys(schema.properties ?? {});
  const secrets = names.filter((name) => schema.properties?.[name]?.writeOnly);
  const form = useForm<SettingsForm>({
    defaultValues: {
      name: installation ? installation.name : integration.title,
      settings: Object.fromEntries(
        names.map((name) => [name, secrets.includes(name) ? '' : settingText(installation?.settings[name])]),
      ),
    },
  });
  const save = useMutation({
    mutationFn: (values: SettingsForm) =>
      installation
        ? call(api.installations.update, {
            params: { id: installation.id },
            body: { settings: changedSettings(values.settings, installation, secrets) },
          })
        : call(api.installations.create, {
            body: { integrationId: integration.id, name: values.name, settings: nonEmpty(values.settings) },
          }),
    onSuccess: async ({ installation: saved }) => {
      await queryClient.invalidateQueries({ queryKey: keys.installations });
      void navigate(`/installations/${saved.id}/sync-status`, { state: { connected: true } });
    },
    onError: (error) =>
      applyFieldErrors(
        error,
        form.setError,
        ['name', ...names.map((name) => `settings.${name}`)],
        secrets.map((name) => `settings.${name}`),
      ),
  });
  const { errors } = form.formState;
  return (
    <section className="card" aria-labelledby="settings-heading">
      <div className="card-header">
        <h2 id="settings-heading">{installation ? 'New credentials' : 'Connect with a token'}</h2>
      </div>
      <form
        className="card-body form"
        noValidate
        onSubmit={form.handleSubmit((values) => save.mutate(values))}
        data-testid="custom-settings-form"
      >
        {!installation ? <NameField register={form.register} error={errors.name?.message} id="settings-name" /> : null}
        <SchemaFields
          schema={schema}
          prefix="settings"
          register={form.register}
          errors={errors}
          {...(installation ? { stored: installation.secrets, partial: true } : {})}
        />
        {save.isError && !Object.keys(errors).length ? <ErrorMessage error={save.error} /> : null}
        {save.isError && Object.keys(errors).length ? (
          <p className="field-error" role="status">
            Mooring checked these settings with {integration.title}; fix the fields marked above.
          </p>
        ) : null}
        <div className="row">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? `Checking with ${integration.title}…` : installation ? 'Verify and save' : 'Verify and connect'}
          </button>
          <span className="muted small">
            Credentials are verified live with the tool before they are saved, then stored encrypted.
          </span>
        </div>
      </form>
    </section>
  );
}

function NameField({
  register,
  error,
  id,
}: {
  register: ReturnType<typeof useForm<{ name: string }>>['register'];
  error: string | undefined;
  id: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>
        Name<span aria-hidden="true"> *</span>
      </label>
      <span className="hint" id={`${id}-hint`}>
        How this data source is listed, e.g. &quot;GitHub (platform team)&quot;
      </span>
      <input
        id={id}
        aria-required
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        {...register('name', { validate: (value) => (value.trim() ? true : 'is required') })}
      />
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          Name {error}
        </span>
      ) : null}
    </div>
  );
}

function nonEmpty(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
}

/** A reconnect sends the secrets typed and the settings that changed; empty secrets keep what is stored. */
function changedSettings(values: Record<string, string>, installation: InstallationView, secrets: readonly string[]) {
  return Object.fromEntries(
    Object.entries(values).filter(([name, value]) =>
      secrets.includes(name) ? value.trim() !== '' : value !== settingText(installation.settings[name]),
    ),
  );
}

function settingText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
