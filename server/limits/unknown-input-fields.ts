import {
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInputType,
  isListType,
  typeFromAST,
  type ExecutionArgs,
  type GraphQLInputType,
} from 'graphql';

/**
 * The first key of the variables that no input type declares, as an error message, or
 * undefined. graphql-js would refuse it too, but with the whole enclosing value quoted in
 * each of up to 50 errors, which costs time and bytes in proportion to the keys times
 * the errors. One linear pass, without recursion (variables are depth-limited before).
 */
export function unknownInputField(args: ExecutionArgs): string | undefined {
  const variables = args.variableValues;
  const operation = getOperationAST(args.document, args.operationName);
  if (!variables || !operation) return undefined;
  const pending: Array<{ type: GraphQLInputType; value: unknown; variable: string; path: string }> = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const variable = definition.variable.name.value;
    const type = typeFromAST(args.schema, definition.type);
    if (isInputType(type) && Object.hasOwn(variables, variable))
      pending.push({ type, value: variables[variable], variable, path: variable });
  }
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, variable, path } = next;
    const type = getNullableType(next.type);
    if (value === null || typeof value !== 'object') continue;
    if (isListType(type)) {
      // A single value where a list is declared is coerced to a list of one.
      const items: unknown[] = Array.isArray(value) ? value : [value];
      items.forEach((item, index) =>
        pending.push({ type: type.ofType, value: item, variable, path: `${path}[${index}]` }),
      );
    } else if (isInputObjectType(type) && !Array.isArray(value)) {
      const fields = type.getFields();
      for (const [key, item] of Object.entries(value)) {
        if (!Object.hasOwn(fields, key))
          return `Variable "$${variable}" got invalid value at "${path}": field "${key}" is not defined by type "${type.name}"`;
        pending.push({ type: fields[key].type, value: item, variable, path: `${path}.${key}` });
      }
    }
  }
  return undefined;
}
