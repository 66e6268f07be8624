import { useState } from 'react';
import { parse, stringify } from 'yaml';
import type { Resource } from '../../../client/types.ts';
import { useDenial } from '../api/access.ts';
import { useApplyYaml } from '../api/apply-yaml.ts';
import { YamlEditor } from '../components/YamlEditor.tsx';
import { kindInfo } from '../kinds.ts';

/**
 * The object as YAML, live until you start editing. Saving sends your text with the
 * resourceVersion you started from: if the object changed meanwhile the server answers
 * CONFLICT, and your text stays here for you to redo on top of the latest.
 */
export function YamlTab({ obj }: { obj: Resource }) {
  const live = stringify(obj);
  const [draft, setDraft] = useState<string | null>(null);
  const { submit, problems, conflict, busy, reset } = useApplyYaml();
  // The detail page shows only kinds the dashboard knows.
  const denied = useDenial(
    'edit',
    kindInfo(obj.kind)!,
    obj.metadata.namespace ?? undefined,
    obj.metadata.name,
  );

  const save = async (text: string) => {
    const same = () => {
      const edited = parse(text) as Resource | null;
      const { kind, metadata } = obj;
      if (
        edited?.kind !== kind ||
        edited?.metadata?.name !== metadata.name ||
        (edited.metadata.namespace ?? metadata.namespace) !== metadata.namespace
      )
        return 'An edit cannot change the kind, name or namespace; use Create for a new object.';
      return undefined;
    };
    if (await submit(text, same)) setDraft(null);
  };

  if (draft === null) {
    return (
      <div>
        <div className="actions">
          <button className="primary" disabled={!!denied} title={denied} onClick={() => setDraft(live)}>
            Edit
          </button>
        </div>
        <YamlEditor label="YAML" value={live} readOnly />
      </div>
    );
  }
  return (
    <div>
      <div className="actions">
        <button className="primary" disabled={busy} onClick={() => save(draft)}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button
          onClick={() => {
            reset();
            setDraft(null);
          }}
        >
          Cancel
        </button>
      </div>
      {conflict && (
        <div className="error conflict" role="alert">
          <p>
            <strong>Conflict:</strong> the object changed since you started editing, so nothing was saved.{' '}
            {conflict}
          </p>
          <button
            onClick={() => {
              reset();
              setDraft(live);
            }}
          >
            Discard my edit and load the latest
          </button>
        </div>
      )}
      <YamlEditor label="YAML" value={draft} onChange={setDraft} problems={problems} />
    </div>
  );
}
