import { AuditTable } from '../../components/audit-table';

export function AuditLogTab({ installationId }: { installationId: string }) {
  return <AuditTable title="Changes to this data source" filter={{ targetType: 'installation', targetId: installationId }} />;
}
