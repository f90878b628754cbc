import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { PageHeader } from '../components/page-header';
import { useHasRole } from './session';

/** A page for `role` and above; others see why, not the page (the api refuses them anyway). */
export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  if (useHasRole(role)) return <>{children}</>;
  return (
    <>
      <PageHeader title="Not available to your role" />
      <div className="banner warning" role="status" data-testid="role-refused">
        <div>
          <strong>This page is for {role}s</strong>
          <p>Ask an admin of your organization if you need it.</p>
        </div>
      </div>
    </>
  );
}
