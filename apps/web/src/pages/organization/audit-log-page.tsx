import { AuditTable } from '../../components/audit-table';
import { PageHeader } from '../../components/page-header';

export function AuditLogPage() {
  return (
    <>
      <PageHeader title="Audit log" description="Who changed what in this organization, newest first." />
      <AuditTable title="Changes" filter={{}} />
    </>
  );
}
