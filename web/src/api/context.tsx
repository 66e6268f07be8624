import { createContext, useContext } from 'react';
import type { KubeqlClient } from '../../../client/client.ts';
import type { ResourceWriter } from '../../../client/writes.ts';
import type { AccessCache } from './access-cache.ts';
import type { InformerPool } from './informers.ts';

/** What every view of a logged-in dashboard reaches the API through. */
export interface Api {
  client: KubeqlClient;
  /** Kind-agnostic writes (replace, delete) from the SDK. */
  writer: ResourceWriter;
  informers: InformerPool;
  /** What the caller may do, per namespace. */
  access: AccessCache;
  logout(): void;
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside of a logged-in dashboard');
  return api;
}
