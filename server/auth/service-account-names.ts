/** A ServiceAccount's user name, as Kubernetes spells it in tokens, bindings and messages. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups every token of a ServiceAccount in `namespace` carries. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
}

/** The namespace and name of a ServiceAccount's user name, or undefined for any other user. */
export function serviceAccountOf(user: string): { namespace: string; name: string } | undefined {
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  return match ? { namespace: match[1], name: match[2] } : undefined;
}
