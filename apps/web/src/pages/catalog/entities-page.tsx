import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useBlueprint, useEntities } from '../../api/queries';
import type { EntityView } from '../../api/types';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { EmptyState, ErrorState, Loading } from '../../components/states';
import { formatValue, propertyTitle } from '../../lib/format';

const MAX_PROPERTY_COLUMNS = 4;

/** A blueprint's entities: search (debounced, kept in the URL) and cursor pages. */
export function EntitiesPage() {
  const { blueprint = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const [typed, setTyped] = useState(search);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const definition = useBlueprint(blueprint);
  const entities = useEntities(blueprint, search, cursors.at(-1) ?? null);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (typed.trim() === search) return;
      setCursors([null]);
      setParams(typed.trim() ? { search: typed.trim() } : {}, { replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [typed, search, setParams]);

  const columns = Object.keys(definition.data?.blueprint.schema.properties ?? {}).slice(0, MAX_PROPERTY_COLUMNS);
  const title = definition.data?.blueprint.title ?? blueprint;
  return (
    <>
      <PageHeader
        title={title}
        breadcrumbs={<Link to="/catalog">Catalog</Link>}
        description={<span className="mono">{blueprint}</span>}
      />
      <section className="card" aria-labelledby="entities-heading">
        <div className="card-header">
          <h2 id="entities-heading">Entities</h2>
          <input
            type="search"
            aria-label={`Search ${title} by identifier or title`}
            placeholder="Search by identifier or title"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
          />
        </div>
        {definition.isError ? (
          <ErrorState error={definition.error} onRetry={() => void definition.refetch()} />
        ) : entities.isPending ? (
          <Loading label="Loading entities…" />
        ) : entities.isError ? (
          <ErrorState error={entities.error} onRetry={() => void entities.refetch()} />
        ) : !entities.data.entities.length ? (
          <EmptyState title={search ? 'No entity matches that search' : 'No entities yet'}>
            {search ? 'Try another identifier or title.' : 'They appear here as data sources sync.'}
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table data-testid="entities-table" aria-busy={entities.isFetching || undefined}>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Identifier</th>
                    {columns.map((column) => (
                      <th scope="col" key={column}>
                        {propertyTitle(definition.data?.blueprint.schema.properties[column], column)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {entities.data.entities.map((entity) => (
                    <EntityRow key={entity.identifier} entity={entity} columns={columns} />
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              hasPrevious={cursors.length > 1}
              hasNext={Boolean(entities.data.next)}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={() => setCursors([...cursors, entities.data.next])}
              label="entities"
            />
          </>
        )}
      </section>
    </>
  );
}

function EntityRow({ entity, columns }: { entity: EntityView; columns: readonly string[] }) {
  return (
    <tr>
      <td>
        <Link to={`/catalog/${encodeURIComponent(entity.blueprint)}/${encodeURIComponent(entity.identifier)}`}>
          {entity.title || entity.identifier}
        </Link>
      </td>
      <td className="mono">{entity.identifier}</td>
      {columns.map((column) => (
        <td key={column}>{formatValue(entity.properties[column])}</td>
      ))}
    </tr>
  );
}
