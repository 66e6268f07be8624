import { GraphQLError, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { builder } from './builder.ts';
import { parseQuantity } from '../../schema/quantity.ts';

function literal(node: ValueNode): unknown {
  return valueFromASTUntyped(node);
}

builder.scalarType('JSON', {
  description: 'Any JSON value (merge patches, and fields Kubernetes itself leaves schemaless).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphQLError('StringMap must be an object of string values');
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new GraphQLError(`StringMap value of "${key}" must be a string`);
  }
  return value as Record<string, string>;
}

builder.scalarType('StringMap', {
  description: 'A map of string keys to string values: labels, annotations, selectors, ConfigMap data.',
  serialize: (value) => value,
  parseValue: stringMap,
  parseLiteral: (node) => stringMap(literal(node)),
});

function quantity(value: unknown): string | number {
  if ((typeof value === 'string' || typeof value === 'number') && parseQuantity(value) !== undefined)
    return value;
  throw new GraphQLError(`"${String(value)}" is not a quantity (like "500m", "128Mi" or 2)`);
}

builder.scalarType('Quantity', {
  description: 'A resource quantity as written ("500m", "1.5", "128Mi"); the original text is kept.',
  serialize: (value) => value,
  parseValue: quantity,
  parseLiteral: (node) => quantity(literal(node)),
});

function resourceList(value: unknown): Record<string, string | number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphQLError('ResourceList must be an object of quantities');
  }
  for (const v of Object.values(value)) quantity(v);
  return value as Record<string, string | number>;
}

builder.scalarType('ResourceList', {
  description: 'Resource names to quantities, as written: { cpu: "500m", memory: "128Mi" }.',
  serialize: (value) => value,
  parseValue: resourceList,
  parseLiteral: (node) => resourceList(literal(node)),
});

function intOrString(value: unknown): string | number {
  if (typeof value === 'string' || Number.isSafeInteger(value)) return value as string | number;
  throw new GraphQLError('IntOrString must be an integer or a string');
}

builder.scalarType('IntOrString', {
  description: 'An integer or a string: a port number or name, or a count or percentage such as "25%".',
  serialize: (value) => value,
  parseValue: intOrString,
  parseLiteral: (node) => {
    if (node.kind === Kind.INT) return Number(node.value);
    return intOrString(literal(node));
  },
});
