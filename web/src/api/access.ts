import { useEffect, useState } from 'react';
import type { Action, KindRef, Permissions } from '../access/permissions.ts';
import { useApi } from './context.tsx';

/**
 * What the caller may do in `namespace` (every namespace when empty or undefined); undefined
 * until known, or when the server cannot say: the views then offer everything and the API
 * still decides.
 */
export function usePermissions(namespace?: string): Permissions | undefined {
  const { access } = useApi();
  const key = namespace || undefined;
  const [state, setState] = useState(() => ({ key, permissions: access.peek(key) }));
  useEffect(() => {
    let current = true;
    access.load(key).then(
      (permissions) => current && setState({ key, permissions }),
      () => current && setState({ key, permissions: undefined }),
    );
    return () => {
      current = false;
    };
  }, [access, key]);
  return state.key === key ? state.permissions : access.peek(key);
}

/** Why the caller may not do `action` on a kind's object (to show on the disabled control), if it may not. */
export function useDenial(
  action: Action,
  kind: KindRef,
  namespace?: string,
  name?: string,
): string | undefined {
  return usePermissions(namespace)?.denial(action, kind, name);
}
