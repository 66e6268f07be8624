import { useState } from 'react';
import { execute } from '../../../client/typed.ts';
import type { Resource } from '../../../client/types.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../api/hooks.ts';
import { ExecPodDocument, type ExecPodMutation } from '../generated/graphql.ts';
import type { Manifest } from '../kinds.ts';

/** "ls -l '/my dir'" → ['ls', '-l', '/my dir']: words, with quotes as a shell reads them (no expansion). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3]));
  }
  return words;
}

/** `kubectl exec <pod> -c <container> -- command...`: one command, its output and exit code. */
export function PodExec({ obj }: { obj: Resource }) {
  const pod = obj as Manifest<'Pod'>;
  const { client } = useApi();
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [command, setCommand] = useState('');
  const [result, setResult] = useState<ExecPodMutation['execPod'] & { command: string }>();
  const action = useAction();
  const run = () =>
    action.run(async () => {
      const data = await execute(client, ExecPodDocument, {
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name ?? '',
        container,
        command: splitWords(command),
      });
      setResult({ ...data.execPod, command });
    });
  return (
    <div>
      <form
        className="control"
        onSubmit={(e) => {
          e.preventDefault();
          if (splitWords(command).length) void run();
        }}
      >
        {containers.length > 1 && (
          <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        )}
        <input
          aria-label="Command"
          className="command"
          placeholder="Command, e.g. ls -l /"
          value={command}
          onChange={(e) => setCommand(e.target.value)}
        />
        <button type="submit" className="primary" disabled={action.busy || !splitWords(command).length}>
          {action.busy ? 'Running…' : 'Run'}
        </button>
      </form>
      <p className="hint">Runs the command itself, without a shell; for pipes and variables run sh -c "…".</p>
      {action.error && <p className="error">{action.error}</p>}
      {result && (
        <div className="exec-result" aria-label="Exec result">
          <div className="muted">
            $ {result.command}{' '}
            <span className={result.exitCode === 0 ? 'ok-text' : 'bad-text'}>
              exit code {result.exitCode}
            </span>
          </div>
          <pre className="logs">
            {result.stdout}
            {result.stderr && <span className="log-err">{result.stderr}</span>}
          </pre>
        </div>
      )}
    </div>
  );
}
