import type { Schema } from './openapi-meta.ts';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: Schema;
}

const query = (name: string, type: string, description: string): Parameter => ({
  name,
  in: 'query',
  description,
  schema: { type },
});

export const pathParameters = {
  name: (kind: string): Parameter => ({
    name: 'name',
    in: 'path',
    description: `name of the ${kind}`,
    required: true,
    schema: { type: 'string' },
  }),
  namespace: {
    name: 'namespace',
    in: 'path',
    description: 'object name and auth scope, such as for teams and projects',
    required: true,
    schema: { type: 'string' },
  } satisfies Parameter,
  pretty: query('pretty', 'string', "If 'true', the output is pretty printed."),
};

/** A list's selection and paging. */
export const listParameters: Parameter[] = [
  query('continue', 'string', 'The `continue` token of the previous page, to read the next one.'),
  query('fieldSelector', 'string', 'Restricts the list by fields, e.g. `status.phase=Running`.'),
  query(
    'labelSelector',
    'string',
    'Restricts the list by labels: `=`, `==`, `!=`, `in`, `notin`, `key` and `!key`.',
  ),
  query('limit', 'integer', 'The most items to return; `continue` in the answer reads the rest.'),
  query('resourceVersion', 'string', 'Where a list or watch starts; unset or "0" is the current state.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
];

/** A list that is a watch (`watch=true`). */
export const watchParameters: Parameter[] = [
  query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events, which carry only a resourceVersion.'),
  query(
    'sendInitialEvents',
    'boolean',
    'With watch: send the current objects as ADDED events first, then a bookmark marking their end.',
  ),
  query('timeoutSeconds', 'integer', 'Ends the list or watch after this many seconds.'),
  query(
    'watch',
    'boolean',
    'Watch for changes instead of listing: a stream of ADDED, MODIFIED and DELETED events.',
  ),
];

const dryRun = query(
  'dryRun',
  'string',
  'When present, the request is processed but nothing is persisted. "All" runs every stage.',
);

/** kubectl reads `fieldValidation` on a kind's PATCH to decide whether the server validates fields. */
export const writeParameters: Parameter[] = [
  dryRun,
  query(
    'fieldManager',
    'string',
    'The name of the actor making the change, which field ownership is recorded under. Required for apply patches.',
  ),
  query(
    'fieldValidation',
    'string',
    'How to handle unknown or duplicate fields in the object: Ignore drops them, Warn drops them with a warning, Strict fails the request with BadRequest.',
  ),
];

export const forceParameter = query(
  'force',
  'boolean',
  'Apply patches only: take over the fields other managers own instead of failing with a conflict.',
);

export const deleteParameters: Parameter[] = [
  dryRun,
  query(
    'gracePeriodSeconds',
    'integer',
    'Seconds before the object is deleted; 0 deletes at once. Defaults to the object default.',
  ),
  query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  query(
    'propagationPolicy',
    'string',
    'What happens to dependents: Orphan, Background (the default) or Foreground.',
  ),
];
