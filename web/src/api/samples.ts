import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect, useState } from 'react';
import { messageOf } from '../../../client/errors.ts';
import { execute } from '../../../client/typed.ts';
import { useApi } from './context.tsx';

/** How many samples a chart keeps: five minutes at the node agents' 10 s reports. */
const KEEP = 30;

/**
 * A short history of a metrics query, asked every `everyMs`. Usage is not an object
 * with a watch (kubectl top polls too); samples are kept by their `timestamp`, so
 * polling faster than the agents report adds nothing twice.
 */
export function useSamples<R, V extends Record<string, unknown>, S extends { timestamp: string }>(
  document: TypedDocumentNode<R, V>,
  variables: V,
  pick: (result: R) => S | undefined,
  everyMs = 5000,
): { samples: S[]; error?: string } {
  const { client } = useApi();
  const [state, setState] = useState<{ samples: S[]; error?: string }>({ samples: [] });
  const key = JSON.stringify(variables);
  useEffect(() => {
    let stopped = false;
    setState({ samples: [] });
    const poll = async () => {
      try {
        const sample = pick(await execute(client, document, variables));
        if (stopped) return;
        setState((s) => {
          if (!sample || s.samples.at(-1)?.timestamp === sample.timestamp) return { samples: s.samples };
          return { samples: [...s.samples, sample].slice(-KEEP) };
        });
      } catch (error) {
        if (!stopped) setState((s) => ({ samples: s.samples, error: messageOf(error) }));
      }
    };
    void poll();
    const timer = setInterval(poll, everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // `key` stands for the variables; `pick` is a selector that never needs to restart the poll.
  }, [client, document, key, everyMs]);
  return state;
}
