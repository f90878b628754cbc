import { Link, useParams } from 'react-router';
import { useBlueprint, useEntity, useInstallation } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { ErrorState, Loading } from '../../components/states';
import { formatDateTime, formatValue, propertyTitle } from '../../lib/format';

/** One entity: properties, relations as links, and which installation and resource wrote it. */
export function EntityPage() {
  const { blueprint = '', identifier = '' } = useParams();
  const entity = useEntity(blueprint, identifier);
  const definition = useBlueprint(blueprint);
  const breadcrumbs = (
    <>
      <Link to="/catalog">Catalog</Link> / <Link to={`/catalog/${encodeURIComponent(blueprint)}`}>{blueprint}</Link>
    </>
  );
  if (entity.isPending) return <Loading label="Loading the entity…" />;
  if (entity.isError) {
    return (
      <>
        <PageHeader title={identifier} breadcrumbs={breadcrumbs} />
        <div className="card">
          <ErrorState error={entity.error} onRetry={() => void entity.refetch()} />
        </div>
      </>
    );
  }
  const current = entity.data.entity;
  const properties = definition.data?.blueprint.schema.properties ?? {};
  const relations = definition.data?.blueprint.relations ?? {};
  return (
    <>
      <PageHeader
        title={current.title || current.identifier}
        breadcrumbs={breadcrumbs}
        description={<span className="mono">{current.identifier}</span>}
      />
      <div className="stack">
        {current.placeholder ? (
          <div className="banner info" role="status">
            <div>
              <strong>Placeholder</strong>
              <p>Created because another entity relates to it; no data source has written it yet.</p>
            </div>
          </div>
        ) : null}
        <section className="card" aria-labelledby="properties-heading">
          <div className="card-header">
            <h2 id="properties-heading">Properties</h2>
          </div>
          <div className="card-body">
            {Object.keys(current.properties).length ? (
              <dl className="kv" data-testid="entity-properties">
                {Object.entries(current.properties).map(([name, value]) => (
                  <Row key={name} label={propertyTitle(properties[name], name)} value={formatValue(value)} />
                ))}
              </dl>
            ) : (
              <p className="muted" style={{ margin: 0 }}>
                No properties.
              </p>
            )}
          </div>
        </section>
        <section className="card" aria-labelledby="relations-heading">
          <div className="card-header">
            <h2 id="relations-heading">Relations</h2>
          </div>
          <div className="card-body">
            {Object.keys(current.relations).length ? (
              <dl className="kv" data-testid="entity-relations">
                {Object.entries(current.relations).map(([name, value]) => {
                  const target = relations[name]?.target;
                  const identifiers: readonly string[] = value === null ? [] : typeof value === 'string' ? [value] : value;
                  return (
                    <div key={name} style={{ display: 'contents' }}>
                      <dt>{relations[name]?.title ?? name}</dt>
                      <dd>
                        {identifiers.length === 0
                          ? '—'
                          : identifiers.map((related, index) => (
                              <span key={related}>
                                {index ? ', ' : ''}
                                {target ? (
                                  <Link to={`/catalog/${encodeURIComponent(target)}/${encodeURIComponent(related)}`}>
                                    {related}
                                  </Link>
                                ) : (
                                  related
                                )}
                              </span>
                            ))}
                      </dd>
                    </div>
                  );
                })}
              </dl>
            ) : (
              <p className="muted" style={{ margin: 0 }}>
                No relations.
              </p>
            )}
          </div>
        </section>
        <section className="card" aria-labelledby="origin-heading">
          <div className="card-header">
            <h2 id="origin-heading">Origin</h2>
          </div>
          <div className="card-body">
            <dl className="kv" data-testid="entity-origin">
              <dt>Written by</dt>
              <dd>{current.installationId ? <InstallationLink id={current.installationId} /> : 'The API (not a data source)'}</dd>
              <dt>Mapping resource</dt>
              <dd className="mono">{current.resource ?? '—'}</dd>
              <dt>Team</dt>
              <dd>{current.team?.length ? current.team.join(', ') : '—'}</dd>
              <dt>Updated</dt>
              <dd>{formatDateTime(current.updatedAt)}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(current.createdAt)}</dd>
            </dl>
          </div>
        </section>
      </div>
    </>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function InstallationLink({ id }: { id: string }) {
  const installation = useInstallation(id);
  return (
    <Link to={`/installations/${id}/sync-status`}>
      {installation.data?.installation.name ?? (installation.isError ? 'a deleted data source' : 'data source')}
    </Link>
  );
}
