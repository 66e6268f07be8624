import type { GroupVersion } from './discovery.ts';
import type { Schema } from './openapi-meta.ts';
import { META, packageOf, refTo } from './openapi-names.ts';
import {
  deleteParameters,
  forceParameter,
  listParameters,
  pathParameters,
  watchParameters,
  writeParameters,
  type Parameter,
} from './openapi-parameters.ts';

/** A resource as discovery serves it: `pods`, or a subresource such as `pods/status`. */
export interface ServedResource {
  name: string;
  namespaced: boolean;
  kind: string;
  /** A subresource's body's group and version, when not the resource's (a Scale is autoscaling/v1). */
  group?: string;
  version?: string;
  verbs: readonly string[];
}

/** The subresources whose bodies have schemas: the object itself, and Scale. */
const SUBRESOURCES = new Set(['status', 'scale']);

type Operation = Schema;
type PathItem = { parameters?: Parameter[] } & Partial<Record<Method, Operation>>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/**
 * The `paths` of one group-version's document: every operation discovery says a resource
 * serves, at Kubernetes' URLs, with its parameters, `x-kubernetes-action` and the kind's
 * `x-kubernetes-group-version-kind` (kubectl finds a kind's PATCH by it and reads its
 * `fieldValidation` parameter there). Other subresources (log, exec...) stream rather than
 * take and return objects, and are left out.
 */
export function resourcePaths(
  gv: GroupVersion,
  resources: readonly ServedResource[],
): Record<string, PathItem> {
  const kinds = new Map(resources.map((resource) => [resource.name, resource.kind]));
  const paths: Record<string, PathItem> = {};
  for (const resource of resources) {
    const [plural, subresource] = resource.name.split('/');
    if (subresource !== undefined && !SUBRESOURCES.has(subresource)) continue;
    const owner = kinds.get(plural) ?? resource.kind;
    const ops = operations(gv, resource, plural, owner, subresource);
    for (const [path, item] of Object.entries(ops)) if (Object.keys(item).length > 1) paths[path] = item;
  }
  return paths;
}

function operations(
  gv: GroupVersion,
  { namespaced, kind, verbs, group = gv.group, version = gv.version }: ServedResource,
  plural: string,
  owner: string,
  subresource: string | undefined,
): Record<string, PathItem> {
  const root = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const scope = namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${root}${scope}/${plural}`;
  const item = `${collection}/{name}${subresource ? `/${subresource}` : ''}`;
  const pathScope = namespaced ? [pathParameters.namespace] : [];
  const serves = (verb: string) => verbs.includes(verb);
  const gvk = { group, version, kind };
  const kindName = `${packageOf(gvk)}.${kind}`;
  const scoped = `${namespaced ? 'Namespaced' : ''}${owner}${capitalize(subresource ?? '')}`;
  const op = operationFor(gv, gvk, scoped);
  const list = [...listParameters, ...(serves('watch') ? watchParameters : [])];

  const result: Record<string, PathItem> = {
    [item]: {
      parameters: [pathParameters.name(kind), ...pathScope, pathParameters.pretty],
      ...(serves('get') && { get: op('read', 'get', `read the specified ${kind}`, [], ok(kindName)) }),
      ...(serves('update') && {
        put: op('replace', 'put', `replace the specified ${kind}`, writeParameters, created(kindName), {
          '*/*': kindName,
        }),
      }),
      ...(serves('patch') && {
        patch: op(
          'patch',
          'patch',
          `partially update the specified ${kind}`,
          [...writeParameters, forceParameter],
          created(kindName),
          Object.fromEntries(PATCH_TYPES.map((type) => [type, `${META}.Patch`])),
        ),
      }),
      ...(serves('delete') &&
        !subresource && {
          delete: op('delete', 'delete', `delete a ${kind}`, deleteParameters, accepted(`${META}.Status`), {
            '*/*': `${META}.DeleteOptions`,
          }),
        }),
    },
  };
  if (subresource) return result;

  result[collection] = {
    parameters: [...pathScope, pathParameters.pretty],
    ...(serves('list') && {
      get: op(
        'list',
        'list',
        `list or watch objects of kind ${kind}`,
        list,
        listed(kindName, serves('watch')),
      ),
    }),
    ...(serves('create') && {
      post: op('create', 'post', `create a ${kind}`, writeParameters, accepted(kindName), {
        '*/*': kindName,
      }),
    }),
    ...(serves('deletecollection') && {
      delete: op(
        'deleteCollection',
        'deletecollection',
        `delete collection of ${kind}`,
        [...deleteParameters, ...list],
        ok(`${META}.Status`),
        { '*/*': `${META}.DeleteOptions` },
      ),
    }),
  };
  if (namespaced && serves('list')) {
    const everywhere = operationFor(gv, gvk, `${kind}ForAllNamespaces`);
    result[`${root}/${plural}`] = {
      parameters: [pathParameters.pretty],
      get: everywhere(
        'list',
        'list',
        `list or watch objects of kind ${kind}`,
        list,
        listed(kindName, serves('watch')),
      ),
    };
  }
  return result;
}

/**
 * Builds the operations of one path: `operationId` as Kubernetes spells it
 * (`listCoreV1NamespacedPod`, `deleteAppsV1CollectionNamespacedDeployment`,
 * `readAppsV1NamespacedDeploymentScale`), the group-version's tag, the action and the kind of
 * the body (autoscaling/v1 Scale for `scale`).
 */
function operationFor(gv: GroupVersion, gvk: GroupVersion & { kind: string }, subject: string) {
  const groupName = gv.group === '' ? 'core' : gv.group.split('.')[0];
  const tag = `${groupName}_${gv.version}`;
  const prefix = `${capitalize(groupName)}${capitalize(gv.version)}`;
  return (
    verb: string,
    action: string,
    description: string,
    parameters: Parameter[],
    responses: Schema,
    body?: Record<string, string>,
  ): Operation => {
    // The verb's first word, then the group-version: `delete` `AppsV1` `Collection`...
    const [first, ...rest] = verb.split(/(?=[A-Z])/);
    return {
      description,
      operationId: `${first}${prefix}${rest.join('')}${subject}`,
      ...(parameters.length ? { parameters } : {}),
      ...(body && {
        requestBody: {
          content: bodies(body),
          required: action !== 'delete' && action !== 'deletecollection',
        },
      }),
      responses,
      tags: [tag],
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': { group: gvk.group, kind: gvk.kind, version: gvk.version },
    };
  };
}

/** The schema of each media type, by name. */
function bodies(types: Record<string, string>): Schema {
  return Object.fromEntries(
    Object.entries(types).map(([type, name]) => [type, { schema: { $ref: refTo(name) } }]),
  );
}

function content(name: string): Schema {
  return { content: bodies({ 'application/json': name, 'application/yaml': name }) };
}

const unauthorized = { 401: { description: 'Unauthorized' } };

function ok(name: string): Schema {
  return { 200: { description: 'OK', ...content(name) }, ...unauthorized };
}

function created(name: string): Schema {
  return {
    200: { description: 'OK', ...content(name) },
    201: { description: 'Created', ...content(name) },
    ...unauthorized,
  };
}

function accepted(name: string): Schema {
  return { ...created(name), 202: { description: 'Accepted', ...content(name) } };
}

/** A list answers its List kind, or a stream of WatchEvents with `watch=true`. */
function listed(kindName: string, watch: boolean): Schema {
  const list = `${kindName}List`;
  const types = {
    'application/json': list,
    'application/yaml': list,
    ...(watch ? { 'application/json;stream=watch': `${META}.WatchEvent` } : {}),
  };
  return { 200: { description: 'OK', content: bodies(types) }, ...unauthorized };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
