import { useCallback, useState } from 'react';
import { KubeqlError, messageOf } from '../../../client/errors.ts';
import { execute } from '../../../client/typed.ts';
import { ApplyManifestsDocument, type ApplyManifestsMutation } from '../generated/graphql.ts';
import { problemsOf, syntaxProblems, type FieldProblem } from '../yaml-errors.ts';
import { useApi } from './context.tsx';

export type Applied = ApplyManifestsMutation['apply'];

/**
 * Sends YAML to the `apply` mutation, as kubectl apply and kubectl edit do: the server
 * validates it (INVALID, with the path of every offending field, shown at its line) and
 * a metadata.resourceVersion in it is a precondition (CONFLICT when someone else wrote
 * first: reported, never overwritten).
 */
export function useApplyYaml() {
  const { client } = useApi();
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [conflict, setConflict] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = useCallback(
    async (text: string, check?: () => string | undefined): Promise<Applied | undefined> => {
      setConflict(undefined);
      const syntax = syntaxProblems(text);
      const refused = syntax.length ? undefined : check?.();
      if (syntax.length || refused) {
        setProblems(syntax.length ? syntax : [{ line: 0, message: refused! }]);
        return undefined;
      }
      setBusy(true);
      try {
        const data = await execute(client, ApplyManifestsDocument, { manifests: text });
        setProblems([]);
        return data.apply;
      } catch (error) {
        if (error instanceof KubeqlError && error.code === 'CONFLICT') {
          setProblems([]);
          setConflict(error.message);
        } else if (error instanceof KubeqlError) {
          setProblems(problemsOf(text, error));
        } else {
          setProblems([{ line: 0, message: messageOf(error) }]);
        }
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [client],
  );
  const reset = useCallback(() => {
    setProblems([]);
    setConflict(undefined);
  }, []);
  return { submit, problems, conflict, busy, reset };
}
