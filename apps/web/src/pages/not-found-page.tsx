import { Link } from 'react-router';
import { EmptyState } from '../components/states';

export function NotFoundPage() {
  return (
    <div className="card">
      <EmptyState title="Page not found" action={<Link to="/data-sources">Go to data sources</Link>}>
        The address may be mistyped, or what it pointed to was deleted.
      </EmptyState>
    </div>
  );
}
