import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../../../client/errors.ts';
import { execute, subscribe } from '../../../client/typed.ts';
import type { Resource, Selection } from '../../../client/types.ts';
import { useApi } from './context.tsx';

export interface Objects<T> {
  items: T[];
  /** The first list has arrived: an empty `items` now means there are none. */
  synced: boolean;
  error?: string;
  /** The caller may not list them (FORBIDDEN): the message, to show in their place. */
  forbidden?: string;
}

/**
 * The live objects of a kind matching a selection (pass null to show nothing), from a
 * shared informer. However fast events arrive — a rollout of 1,000 pods sends thousands —
 * the view re-renders at most once per animation frame, with the cache as it is then.
 */
export function useObjects<T extends Resource = Resource>(
  kind: string,
  selection: Selection | null = {},
): Objects<T> {
  const { informers } = useApi();
  const [state, setState] = useState<Objects<T>>({ items: [], synced: false });
  const key = selection && JSON.stringify([kind, selection]);

  useEffect(() => {
    if (!selection) {
      setState({ items: [], synced: true });
      return;
    }
    const lease = informers.acquire(kind, selection);
    let frame = 0;
    const render = () => {
      frame = 0;
      setState({
        items: lease.informer.list() as T[],
        synced: lease.informer.hasSynced(),
        error: lease.error(),
        forbidden: lease.forbidden(),
      });
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(render);
    };
    const unsubscribe = lease.onChange(schedule);
    render();
    return () => {
      cancelAnimationFrame(frame);
      unsubscribe();
      lease.release();
    };
    // `key` stands for kind and selection, whose object identity changes every render.
  }, [informers, key]);
  return state;
}

export interface QueryState<R> {
  data?: R;
  error?: string;
  loading: boolean;
}

/** Runs a generated query, and again whenever `variables` or `refetchKey` change. */
export function useQuery<R, V extends Record<string, unknown>>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  refetchKey: unknown = undefined,
): QueryState<R> {
  const { client } = useApi();
  const [state, setState] = useState<QueryState<R>>({ loading: true });
  const key = JSON.stringify([variables, refetchKey]);
  useEffect(() => {
    let current = true;
    // Keep showing the last answer while the next one comes.
    setState((s) => ({ ...s, loading: true }));
    execute(client, document, variables).then(
      (data) => current && setState({ data, loading: false }),
      (error) => current && setState({ error: messageOf(error), loading: false }),
    );
    return () => {
      current = false;
    };
    // `key` stands for the variables, whose object identity changes every render.
  }, [client, document, key]);
  return state;
}

/**
 * The latest result of a generated subscription, restarted when `variables` or
 * `restartKey` change; it ends when the component unmounts.
 */
export function useSubscription<R, V extends Record<string, unknown>>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  restartKey: unknown = undefined,
): { data?: R; error?: string } {
  const { client } = useApi();
  const [state, setState] = useState<{ data?: R; error?: string }>({});
  const key = JSON.stringify([variables, restartKey]);
  useEffect(() => {
    const results = subscribe(client, document, variables);
    let current = true;
    (async () => {
      try {
        for await (const data of results) if (current) setState({ data });
      } catch (error) {
        if (current) setState((s) => ({ ...s, error: messageOf(error) }));
      }
    })();
    return () => {
      current = false;
      void results.return();
    };
    // `key` stands for the variables, whose object identity changes every render.
  }, [client, document, key]);
  return state;
}

/** A button's action: busy while it runs, its error kept to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (error) {
      if (mounted.current) setError(messageOf(error));
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** A failing list or watch anywhere in the session (the informers retry on their own), for a banner. */
export function useConnectionProblem(): string | undefined {
  const { informers } = useApi();
  const [problem, setProblem] = useState(() => informers.problem());
  useEffect(() => informers.onProblem(() => setProblem(informers.problem())), [informers]);
  return problem;
}
