import { api } from '@mooring/contract';
import type { Diagnostic } from '@codemirror/lint';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { call, isApiError } from '../../api/client';
import { keys, useSamples } from '../../api/queries';
import type { InstallationView, MappingTestItem, MappingTestResponse, SamplesResponse } from '../../api/types';
import { useHasRole } from '../../app/session';
import { Badge } from '../../components/badges';
import { ErrorMessage } from '../../components/states';
import { formatDateTime } from '../../lib/format';
import { MappingEditor } from './mapping-editor';
import { locatePath, mappingToYaml, parseMappingYaml, type MappingIssue } from './mapping-yaml';
import { TryKinds } from './try-kinds';

/**
 * The installation's mapping as YAML: problems shown at their path in the editor and listed below,
 * "Test" maps the raw samples kept from the last run, "Save" stores it and queues a resync.
 */
export default function MappingTab({ installation }: { installation: InstallationView }) {
  const isAdmin = useHasRole('admin');
  const queryClient = useQueryClient();
  const saved = useMemo(() => mappingToYaml(installation.mapping), [installation.mapping]);
  const [text, setText] = useState(saved);
  const [issues, setIssues] = useState<MappingIssue[]>([]);
  const samples = useSamples(installation.id);

  const toIssues = (error: unknown, source: string): MappingIssue[] | null => {
    if (!isApiError(error, 'VALIDATION_FAILED') || !error.fields.length) return null;
    return error.fields.map((issue) => {
      const path = issue.field.replace(/^mapping\.?/, '') || '(root)';
      return { path, message: issue.message, ...locatePath(source, path) };
    });
  };

  /** Parses the editor's YAML; syntax problems stop here, shown at their line. */
  const parsed = () => {
    const result = parseMappingYaml(text);
    if ('issues' in result) {
      setIssues(result.issues);
      return null;
    }
    return result.mapping;
  };

  const test = useMutation({
    mutationFn: (mapping: Record<string, unknown>) =>
      call(api.mappings.test, {
        body: { mapping, samples: sampleItems(samples.data), integration: installation.integrationId },
      }),
    onMutate: () => setIssues([]),
    onError: (error) => setIssues(toIssues(error, text) ?? []),
  });

  const save = useMutation({
    mutationFn: (mapping: Record<string, unknown>) =>
      call(api.installations.update, { params: { id: installation.id }, body: { mapping } }),
    onMutate: () => setIssues([]),
    onSuccess: async ({ installation: stored }) => {
      // The editor shows what was stored, in the console's own YAML layout.
      setText(mappingToYaml(stored.mapping));
      await queryClient.invalidateQueries({ queryKey: keys.installation(installation.id) });
      await queryClient.invalidateQueries({ queryKey: ['installations', installation.id, 'sync-status'] });
    },
    onError: (error) => setIssues(toIssues(error, text) ?? []),
  });

  const diagnostics: Diagnostic[] = useMemo(
    () =>
      issues.map((issue) => ({ from: issue.from, to: issue.to, severity: 'error', message: `${issue.path}: ${issue.message}` })),
    [issues],
  );
  const dirty = text !== saved;
  const sampleKinds = Object.entries(samples.data?.samples ?? {});
  const capturedAt = sampleKinds
    .map(([, sample]) => sample.capturedAt)
    .sort()
    .at(-1);

  return (
    <div className="stack">
      <section className="card" aria-labelledby="mapping-heading">
        <div className="card-header">
          <h2 id="mapping-heading">Mapping</h2>
          <span className="muted small">
            Port&apos;s mapping shape with a JSONata expression in every leaf.{' '}
            {dirty ? <Badge tone="warning">Unsaved changes</Badge> : null}
          </span>
        </div>
        <div className="card-body stack">
          <MappingEditor value={text} onChange={setText} diagnostics={diagnostics} readOnly={!isAdmin} />
          {issues.length ? (
            <div className="banner danger" role="alert" data-testid="mapping-issues">
              <div>
                <strong>{issues.length === 1 ? 'The mapping has a problem' : `The mapping has ${issues.length} problems`}</strong>
                <ul className="issues">
                  {issues.map((issue, index) => (
                    <li key={`${issue.path}-${index}`}>
                      <code data-testid="issue-path">{issue.path}</code>: {issue.message}
                    </li>
                  ))}
                </ul>
                <p>Each is marked in the editor; fix it and test again.</p>
              </div>
            </div>
          ) : null}
          {save.isError && !issues.length ? <ErrorMessage error={save.error} /> : null}
          {test.isError && !issues.length ? <ErrorMessage error={test.error} /> : null}
          {save.isSuccess && !dirty ? (
            <div className="banner success" role="status" data-testid="mapping-saved">
              <div>
                <strong>Mapping saved; a resync was queued</strong>
                <p>
                  <Link to={`/installations/${installation.id}/sync-status`}>Watch it on the sync status</Link>.
                </p>
              </div>
            </div>
          ) : null}
          <div className="row">
            <button
              type="button"
              onClick={() => {
                const mapping = parsed();
                if (mapping) test.mutate(mapping);
              }}
              disabled={test.isPending || samples.isPending}
            >
              {test.isPending ? 'Testing…' : 'Test on samples'}
            </button>
            {isAdmin ? (
              <>
                <button
                  type="button"
                  className="primary"
                  disabled={save.isPending || !dirty}
                  onClick={() => {
                    const mapping = parsed();
                    if (mapping) save.mutate(mapping);
                  }}
                >
                  {save.isPending ? 'Saving…' : 'Save and resync'}
                </button>
                <button
                  type="button"
                  disabled={!dirty}
                  onClick={() => {
                    setText(saved);
                    setIssues([]);
                  }}
                >
                  Discard changes
                </button>
              </>
            ) : (
              <span className="muted small">Only admins can change the mapping.</span>
            )}
          </div>
          <p className="muted small" style={{ margin: 0 }}>
            {samples.isPending
              ? 'Loading samples…'
              : samples.isError
                ? 'Samples could not be loaded; the test maps nothing until they can.'
                : sampleKinds.length
                  ? `Samples from the last run${capturedAt ? ` (${formatDateTime(capturedAt)})` : ''}: ${sampleKinds
                      .map(([kind, sample]) => `${sample.items.length} ${kind}`)
                      .join(', ')}.`
                  : 'No samples yet: they are kept from the next run.'}
          </p>
        </div>
      </section>
      {test.data ? <TestResults result={test.data} samples={sampleItems(samples.data)} /> : null}
      {isAdmin && installation.integrationId === 'generic-http' ? <TryKinds installation={installation} /> : null}
    </div>
  );
}

function TestResults({
  result,
  samples,
}: {
  result: MappingTestResponse;
  samples: Readonly<Record<string, readonly unknown[]>>;
}) {
  return (
    <section className="card" aria-labelledby="test-heading" data-testid="mapping-test-results">
      <div className="card-header">
        <h2 id="test-heading">Test results</h2>
      </div>
      <div className="card-body stack">
        {result.resources.map((resource) => (
          <div key={resource.key} className="stack" style={{ gap: 8 }}>
            <h3>
              {resource.kind} <span className="muted small">({resource.key})</span>
            </h3>
            {!resource.results.length ? (
              <p className="muted" style={{ margin: 0 }}>
                No samples of this kind.
              </p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Sample</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Entity or error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {resource.results.map((item, index) => (
                      <TestRow key={index} item={item} sample={samples[resource.kind]?.[item.item]} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}

function TestRow({ item, sample }: { item: MappingTestItem; sample: unknown }) {
  return (
    <tr data-testid="test-row" data-outcome={item.outcome}>
      <td>
        #{item.item + 1}
        {sample !== undefined ? (
          <details>
            <summary className="small muted">Raw item</summary>
            <pre className="block">{JSON.stringify(sample, null, 2)}</pre>
          </details>
        ) : null}
      </td>
      <td>
        {item.outcome === 'entity' ? (
          <Badge tone="success">Entity</Badge>
        ) : item.outcome === 'filtered' ? (
          <Badge tone="neutral">Filtered out</Badge>
        ) : (
          <Badge tone="danger">Error</Badge>
        )}
      </td>
      <td>
        {item.error ? (
          <div className="field-error">
            {item.error.field ? <code>{item.error.field}</code> : null} {item.error.reason}
            {item.error.issues?.length ? (
              <ul className="issues">
                {item.error.issues.map((issue) => (
                  <li key={issue.field}>
                    <code>{issue.field}</code> {issue.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {item.entity ? <pre className="block">{JSON.stringify(item.entity, null, 2)}</pre> : null}
      </td>
    </tr>
  );
}

/** The raw items per kind, as `POST /v1/mappings/test` takes them. */
function sampleItems(data: SamplesResponse | undefined): Record<string, Array<Record<string, never>>> {
  return Object.fromEntries(
    Object.entries(data?.samples ?? {}).map(([kind, sample]) => [kind, sample.items as Array<Record<string, never>>]),
  );
}
