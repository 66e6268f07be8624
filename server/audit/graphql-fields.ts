import {
  getArgumentValues,
  getOperationAST,
  Kind,
  type ExecutionArgs,
  type FieldNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';
import type { KindDefinition } from '../../schema/kind.ts';
import { dynamicKinds } from '../../schema/kinds/dynamic-kinds.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import { fieldAccessOf } from '../graphql/field-access.ts';
import type { ObjectReference } from './event.ts';
import { carriesCredentials } from './policy.ts';
import { objectRefOf } from './rest-attributes.ts';

/** A root field of an operation, as its audit event states it. */
export interface AuditedField {
  /** Its alias or name: where its data and errors are in the result. */
  responseKey: string;
  field: string;
  verb: string;
  objectRef?: ObjectReference;
  args: Record<string, unknown>;
  /** Whether its arguments or answer may hold credentials, or objects of kinds unknown before it runs. */
  opaque: boolean;
}

/** The version each kind is served at, by `group/plural`, which a field's RBAC request leaves out. */
const VERSIONS = versionsByResource(KINDS);

function versionsByResource(kinds: readonly KindDefinition[]): Map<string, string> {
  return new Map(
    kinds.map((def) => {
      const [group, version] = def.apiVersion.includes('/')
        ? def.apiVersion.split('/')
        : ['', def.apiVersion];
      return [`${group}/${def.plural}`, version];
    }),
  );
}

/** The version a resource is served at: a built-in kind's, or a custom resource's served now. */
function versionOf(groupResource: string): string | undefined {
  return VERSIONS.get(groupResource) ?? versionsByResource(dynamicKinds()).get(groupResource);
}

/** What a root field that names no object does, by the operation it is in: a read, a write, a watch. */
const OPERATION_VERBS = { query: 'get', mutation: 'create', subscription: 'watch' } as const;

/**
 * The operation's root fields, each with the Kubernetes verb and object it means: a field
 * that `requires` RBAC requests (server/graphql/field-access.ts) is the first request it
 * makes (`createPod(namespace: "a")` is create pods in a). A field that authorizes per
 * object (apply, resource by id) or answers about the caller has the operation's verb and
 * no object; apply is a patch, as server-side apply is in Kubernetes.
 */
export function auditedFields(args: ExecutionArgs): AuditedField[] {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return [];
  const root =
    operation.operation === 'query'
      ? args.schema.getQueryType()
      : operation.operation === 'mutation'
        ? args.schema.getMutationType()
        : args.schema.getSubscriptionType();
  if (!root) return [];
  const fields: AuditedField[] = [];
  for (const node of fieldNodes(operation.selectionSet, args)) {
    const audited = auditedField(root, node, args, OPERATION_VERBS[operation.operation]);
    if (audited) fields.push(audited);
  }
  return fields;
}

function auditedField(
  root: GraphQLObjectType,
  node: FieldNode,
  args: ExecutionArgs,
  operationVerb: string,
): AuditedField | undefined {
  const field = root.getFields()[node.name.value];
  if (!field) return undefined;
  const responseKey = node.alias?.value ?? node.name.value;
  let values: Record<string, unknown> = {};
  try {
    values = getArgumentValues(field, node, args.variableValues ?? undefined);
  } catch {
    // Arguments the execution refuses too: the field's event says so by its error.
  }
  const access = fieldAccessOf(field);
  if (access && 'requires' in access) {
    try {
      const [request] = access.requires(values, undefined);
      if (request) {
        const { verb, ...ref } = request;
        const objectRef = objectRefOf(ref, versionOf(`${ref.apiGroup}/${ref.resource}`));
        const opaque = carriesCredentials({ resource: ref });
        return { responseKey, field: field.name, verb, objectRef, args: values, opaque };
      }
    } catch {
      // A request the arguments cannot make is the field's error to report, not the audit's.
    }
  }
  const verb = field.name === 'apply' ? 'patch' : operationVerb;
  return { responseKey, field: field.name, verb, args: values, opaque: true };
}

/** The root selection's fields, through fragments, as the execution collects them. */
function fieldNodes(
  selectionSet: SelectionSetNode,
  args: ExecutionArgs,
  seen = new Set<string>(),
): FieldNode[] {
  const nodes: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) nodes.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      nodes.push(...fieldNodes(selection.selectionSet, args, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = args.document.definitions.find(
        (def) => def.kind === Kind.FRAGMENT_DEFINITION && def.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        nodes.push(...fieldNodes(fragment.selectionSet, args, seen));
    }
  }
  return nodes;
}
