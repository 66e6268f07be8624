import { useEffect, useState } from 'react';
import { kindByPlural } from '../kinds.ts';

/**
 * The namespace the user is looking at: a list's `?namespace=`, a namespaced object's own,
 * or else the last one seen, so that a token confined to one namespace keeps its
 * navigation on pages that name none (the overview, a cluster-scoped object).
 */
export function useNamespaceInView(path: string, query: URLSearchParams): string | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const info = parts.length > 0 ? kindByPlural(parts[0]) : undefined;
  const here = query.get('namespace') || (info?.namespaced && parts.length === 3 ? parts[1] : undefined);
  const [last, setLast] = useState(here);
  useEffect(() => {
    if (here) setLast(here);
  }, [here]);
  return here ?? last;
}
