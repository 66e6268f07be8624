import {
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { pageSize } from '../../schema/list-limits.ts';

/**
 * What an edge (Deployment.pods, Node.pods, events, apply's objects: a list of API
 * objects without a `limit`) counts as, per object it starts from. Edges are bounded by
 * their source, not by a page (replicas, a node's pod capacity, event TTLs), and the
 * edges of a page together return each pod about once (a pod has one owner and one
 * node). So one, and what they really return is counted as they resolve, against the
 * response budget (server/limits/response-budget.ts).
 */
export const EDGE_OBJECTS = 1;

/**
 * How many API objects (values of a type implementing `Resource`) the operation may
 * return, counted before it runs, as GitHub counts nodes: a list costs its page size (its
 * `limit`, or the default page of schema/list-limits.ts), a lookup by ids as many
 * objects as ids, an edge EDGE_OBJECTS, and what
 * is selected under a list costs as many times over. The structure inside an object
 * (metadata, containers, conditions) is bounded by the object and costs nothing.
 *
 * Runs on a validated document, so fragments do not cycle; each fragment is costed once
 * per page size it is spread under. Directives (@skip, @include) are not evaluated: a
 * list that will be skipped still counts.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const resource = schema.getType('Resource');
  const isResource = (type: GraphQLNamedType) =>
    type === resource ||
    ((isObjectType(type) || isInterfaceType(type)) &&
      type.getInterfaces().some((implemented) => implemented === resource));
  const spreadCosts = new Map<string, number>();
  // A variable left out takes its declared default, which the page size must see too.
  // Only declared variables are copied: the request may hold any number of others.
  const given = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables && Object.hasOwn(variables, name)) given.set(name, variables[name]);
    else if (definition.defaultValue?.kind === Kind.INT)
      given.set(name, Number(definition.defaultValue.value));
  }

  /** `page`: the page size of the field this selection is directly under, if it takes a `limit`. */
  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, page?: number): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, page);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += costOf(selection.selectionSet, type, page);
      } else {
        const key = `${selection.name.value}\u0000${page ?? ''}`;
        let cost = spreadCosts.get(key);
        if (cost === undefined) {
          const fragment = fragments.get(selection.name.value);
          const type = fragment && schema.getType(fragment.typeCondition.name.value);
          cost = fragment && type && isCompositeType(type) ? costOf(fragment.selectionSet, type, page) : 0;
          spreadCosts.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, page?: number): number => {
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    const type = getNamedType(field.type);
    const objects = isResource(type);
    const many = isListType(getNullableType(field.type)) && (objects || page !== undefined);
    const times = many ? (page ?? idsOf(node, given) ?? EDGE_OBJECTS) : 1;
    const pages = field.args.some((arg) => arg.name === 'limit') ? pageSize(limitOf(node, given)) : undefined;
    const below = node.selectionSet && isCompositeType(type) ? costOf(node.selectionSet, type, pages) : 0;
    return times * ((objects ? 1 : 0) + below);
  };

  return costOf(operation.selectionSet, root);
}

/** How many objects an `ids` argument asks for (`resources(ids:)`), literally or by a variable. */
function idsOf(node: FieldNode, variables: ReadonlyMap<string, unknown>): number | undefined {
  const value = node.arguments?.find((arg) => arg.name.value === 'ids')?.value;
  if (value?.kind === Kind.LIST) return value.values.length;
  if (value?.kind === Kind.VARIABLE) {
    const given = variables.get(value.name.value);
    return Array.isArray(given) ? given.length : undefined;
  }
  return undefined;
}

/** The `limit` argument as given, literally or by a variable; undefined when absent or not a number. */
function limitOf(node: FieldNode, variables: ReadonlyMap<string, unknown>) {
  const value = node.arguments?.find((arg) => arg.name.value === 'limit')?.value;
  if (value?.kind === Kind.INT) return Number(value.value);
  if (value?.kind === Kind.VARIABLE) {
    const given = variables.get(value.name.value);
    return typeof given === 'number' ? given : undefined;
  }
  return undefined;
}
