/** The group every node's credential carries, as Kubernetes' kubelets' client certificates. */
export const NODES_GROUP = 'system:nodes';

const NODE_USER_PREFIX = 'system:node:';

/** A node's user name: `system:node:<name>`. */
export function nodeUser(nodeName: string): string {
  return `${NODE_USER_PREFIX}${nodeName}`;
}

/** The groups a node's credential carries. */
export function nodeGroups(): string[] {
  return [NODES_GROUP, 'system:authenticated'];
}

/**
 * The node a caller is, when it is one: user `system:node:<name>` in group `system:nodes`,
 * both, as the Node authorizer and NodeRestriction recognise a kubelet. Undefined for any other.
 */
export function nodeNameOf(subject: {
  user?: string;
  name?: string;
  groups: readonly string[];
}): string | undefined {
  const user = subject.user ?? subject.name ?? '';
  if (!user.startsWith(NODE_USER_PREFIX) || !subject.groups.includes(NODES_GROUP)) return undefined;
  return user.slice(NODE_USER_PREFIX.length) || undefined;
}
