import type { InputObjectRef, ObjectRef } from '@pothos/core';
import { builder } from './builder.ts';
import type { ObjectShape, Shape } from '../../schema/shape.ts';

/**
 * Turns shapes into GraphQL types: each object shape becomes one output type (named
 * as in Kubernetes: PodSpec, Container, ...) and one input type (PodSpecInput, ...).
 * Both are built once per name, so shared structs (ObjectMeta, LabelSelector) appear
 * once in the SDL. Output fields read the same-named property of the stored object.
 */

type AnyObjectRef = ObjectRef<any, any>;
type AnyInputRef = InputObjectRef<any, any>;

const outputs = new Map<string, { shape: ObjectShape; ref: AnyObjectRef }>();
const inputs = new Map<string, { shape: ObjectShape; ref: AnyInputRef }>();

/** Two uses of one struct: `required` and the description belong to the field that holds it. */
function same(a: ObjectShape, b: ObjectShape): boolean {
  return a.fields === b.fields || JSON.stringify(a.fields) === JSON.stringify(b.fields);
}

/** The output type of a nested object shape, created on first use. */
export function outputRef(shape: ObjectShape): AnyObjectRef {
  const known = outputs.get(shape.name);
  if (known) {
    if (!same(known.shape, shape)) throw new Error(`two different shapes are named ${shape.name}`);
    return known.ref;
  }
  const ref = builder.objectRef<any>(shape.name);
  outputs.set(shape.name, { shape, ref });
  ref.implement({ description: shape.description, fields: (t) => outputFields(shape, t) });
  return ref;
}

/** The fields of an object shape, for object types that add more of their own (the kinds). */
export function outputFields(shape: ObjectShape, t: any, inherited: string[] = []): Record<string, any> {
  const fields: Record<string, any> = {};
  for (const [key, field] of Object.entries(shape.fields)) {
    if (inherited.includes(key)) continue;
    fields[key] = t.field({
      type: outputType(field),
      nullable: field.t === 'list' ? { list: !field.required, items: false } : !field.required,
      description: describe(field),
      resolve: (parent: Record<string, unknown>) => parent[key],
    });
  }
  return fields;
}

function outputType(shape: Shape): any {
  if (shape.t === 'scalar') return shape.scalar;
  if (shape.t === 'list') return [outputType(shape.of)];
  return outputRef(shape);
}

/** The input type of an object shape (`<Name>Input`), created on first use. */
export function inputRef(shape: ObjectShape): AnyInputRef {
  const known = inputs.get(shape.name);
  if (known) {
    if (!same(known.shape, shape)) throw new Error(`two different shapes are named ${shape.name}`);
    return known.ref;
  }
  const ref = builder.inputRef<any>(`${shape.name}Input`);
  inputs.set(shape.name, { shape, ref });
  ref.implement({
    description: shape.description,
    fields: (t) => {
      const fields: Record<string, any> = {};
      for (const [key, field] of Object.entries(shape.fields)) {
        fields[key] = t.field({
          type: inputType(field),
          required:
            field.t === 'list' ? { list: Boolean(field.required), items: true } : Boolean(field.required),
          description: describe(field),
        });
      }
      return fields;
    },
  });
  return ref;
}

function inputType(shape: Shape): any {
  if (shape.t === 'scalar') return shape.scalar;
  if (shape.t === 'list') return [inputType(shape.of)];
  return inputRef(shape);
}

function describe(shape: Shape): string | undefined {
  const allowed = shape.t === 'scalar' && shape.oneOf ? `One of: ${shape.oneOf.join(', ')}.` : undefined;
  return [shape.description, allowed].filter(Boolean).join(' ') || undefined;
}
