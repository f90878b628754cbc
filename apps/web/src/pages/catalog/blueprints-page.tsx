import { Link } from 'react-router';
import { useBlueprints } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { EmptyState } from '../../components/states';
import { QueryView } from '../../components/query-view';

export function BlueprintsPage() {
  const blueprints = useBlueprints();
  return (
    <>
      <PageHeader title="Catalog" description="Blueprints and the entities your data sources keep in them." />
      <section className="card" aria-labelledby="blueprints-heading">
        <div className="card-header">
          <h2 id="blueprints-heading">Blueprints</h2>
        </div>
        <QueryView
          query={blueprints}
          loading="Loading blueprints…"
          isEmpty={(data) => !data.blueprints.length}
          empty={<EmptyState title="No blueprints yet">Connecting a tool creates its default blueprints.</EmptyState>}
        >
          {(data) => (
            <div className="table-wrap">
              <table data-testid="blueprints-table">
                <thead>
                  <tr>
                    <th scope="col">Blueprint</th>
                    <th scope="col">Identifier</th>
                    <th scope="col">Properties</th>
                    <th scope="col">Relations</th>
                  </tr>
                </thead>
                <tbody>
                  {data.blueprints.map((blueprint) => (
                    <tr key={blueprint.identifier}>
                      <td>
                        <Link to={`/catalog/${encodeURIComponent(blueprint.identifier)}`}>
                          {blueprint.title ?? blueprint.identifier}
                        </Link>
                        {blueprint.description ? <div className="muted small">{blueprint.description}</div> : null}
                      </td>
                      <td className="mono">{blueprint.identifier}</td>
                      <td>{Object.keys(blueprint.schema.properties ?? {}).length}</td>
                      <td>
                        {Object.entries(blueprint.relations).map(([name, relation]) => (
                          <div key={name} className="small">
                            {name} → <Link to={`/catalog/${encodeURIComponent(relation.target)}`}>{relation.target}</Link>
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </section>
    </>
  );
}
