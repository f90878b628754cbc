import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { keys } from '../../api/queries';
import { RoleGate } from '../../app/session';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/states';

/**
 * The way out of a deletion refused for a drop in fetched items: one resync that may delete despite
 * the drop, after the person confirms the tool really has fewer items now.
 */
export function AcceptFetchDrop({ installationId }: { installationId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const resync = useMutation({
    mutationFn: () => call(api.installations.resync, { params: { id: installationId }, body: { acceptFetchDrop: true } }),
    onSettled: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: keys.installation(installationId) });
    },
  });
  return (
    <RoleGate role="moderator">
      <div className="stack" style={{ gap: 8 }}>
        <div>
          <button type="button" onClick={() => setOpen(true)} disabled={resync.isPending || resync.isSuccess}>
            The tool really has fewer items: resync and delete
          </button>
        </div>
        {resync.isSuccess ? (
          <span className="badge info" role="status">
            Resync queued; it may delete what the tool no longer lists
          </span>
        ) : resync.isError ? (
          <ErrorMessage error={resync.error} compact />
        ) : null}
      </div>
      <ConfirmDialog
        open={open}
        title="Delete what the tool no longer lists?"
        confirmLabel="Resync and delete"
        danger
        busy={resync.isPending}
        onCancel={() => setOpen(false)}
        onConfirm={() => resync.mutate()}
      >
        <p style={{ margin: 0 }}>
          The next run may delete entities despite the drop in fetched items. Every other safety check still applies, and the
          request is recorded in the audit log.
        </p>
      </ConfirmDialog>
    </RoleGate>
  );
}
