import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorView, basicSetup } from 'codemirror';
import { useEffect, useLayoutEffect, useRef } from 'react';

/** CodeMirror 6 on a YAML document; diagnostics are pushed in from outside (local parse + the api). */
export function MappingEditor({
  value,
  onChange,
  diagnostics,
  readOnly,
}: {
  value: string;
  onChange: (value: string) => void;
  diagnostics: readonly Diagnostic[];
  readOnly: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  useLayoutEffect(() => {
    change.current = onChange;
  });

  useEffect(() => {
    const editor = new EditorView({
      doc: value,
      parent: host.current!,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        EditorView.editable.of(!readOnly),
        // Focusable even when read-only, so keyboard users can reach and scroll it.
        EditorView.contentAttributes.of({ 'aria-label': 'Mapping (YAML)', 'data-testid': 'mapping-editor', tabindex: '0' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) change.current(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor owns its document after creation; `value` changes from outside go through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const clamped = diagnostics.map((diagnostic) => ({
      ...diagnostic,
      from: Math.min(diagnostic.from, length),
      to: Math.min(Math.max(diagnostic.to, diagnostic.from), length),
    }));
    editor.dispatch(setDiagnostics(editor.state, clamped));
  }, [diagnostics]);

  return <div className="editor" ref={host} />;
}
