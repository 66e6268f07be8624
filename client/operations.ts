import { apiNames } from '../schema/api-names.ts';

/** The GraphQL type of every argument the SDK passes; the same names on every kind. */
const ARGUMENT_TYPES: Record<string, string> = {
  name: 'String!',
  namespace: 'String',
  labelSelector: 'String',
  fieldSelector: 'String',
  limit: 'Int',
  continue: 'String',
  resourceVersion: 'String',
  sendInitialEvents: 'Boolean',
  allowBookmarks: 'Boolean',
};

export interface Operation {
  query: string;
  variables: Record<string, unknown>;
  /** The root field the result is under. */
  field: string;
}

/**
 * An operation on one root field that declares only the arguments given: cluster-scoped
 * kinds have no `namespace` argument, and leaving an argument out keeps the schema's
 * default (`namespace: "default"` for a get).
 */
function operation(
  type: 'query' | 'subscription',
  field: string,
  args: Record<string, unknown>,
  selection: string,
): Operation {
  const variables = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  const names = Object.keys(variables);
  for (const name of names) if (!ARGUMENT_TYPES[name]) throw new Error(`unknown argument "${name}"`);
  const declared = names.map((name) => `$${name}: ${ARGUMENT_TYPES[name]}`).join(', ');
  const passed = names.map((name) => `${name}: $${name}`).join(', ');
  const query =
    `${type}${declared ? `(${declared})` : ''} ` +
    `{ ${field}${passed ? `(${passed})` : ''} { ${selection} } }`;
  return { query, variables, field };
}

/** The object's `manifest`, with its managedFields when asked. */
const manifest = (showManagedFields = false) =>
  showManagedFields ? 'manifest(showManagedFields: true)' : 'manifest';

export function getOperation(
  kind: string,
  name: string,
  namespace?: string,
  showManagedFields?: boolean,
): Operation {
  return operation('query', apiNames(kind).one, { name, namespace }, manifest(showManagedFields));
}

export function listOperation(
  kind: string,
  args: Record<string, unknown>,
  showManagedFields?: boolean,
): Operation {
  return operation(
    'query',
    apiNames(kind).many,
    args,
    `metadata { resourceVersion continue } items { ${manifest(showManagedFields)} }`,
  );
}

/** `metadata { resourceVersion }` as well: for a BOOKMARK it is the only field the API promises. */
export function watchOperation(kind: string, args: Record<string, unknown>): Operation {
  return operation(
    'subscription',
    `watch${apiNames(kind).Many}`,
    args,
    'type object { manifest metadata { resourceVersion } }',
  );
}
