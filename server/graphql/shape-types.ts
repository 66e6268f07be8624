import type {
  EnumRef,
  FieldMap,
  InputFieldMap,
  InputObjectRef,
  ObjectFieldBuilder,
  ObjectRef,
} from '@pothos/core';
import { builder, type Types } from './builder.ts';
import type { ItemShape, ObjectShape, ScalarName, ScalarShape, Shape } from '../../schema/shape.ts';

/**
 * Turns shapes into GraphQL types: each object shape becomes one output type (named
 * as in Kubernetes: PodSpec, Container, ...) and one input type (PodSpecInput, ...).
 * Both are built once per name, so shared structs (ObjectMeta, LabelSelector) appear
 * once in the SDL, and so does each named enum (PodPhase, Protocol), whose values are
 * Kubernetes' strings unchanged. Output fields read the same-named property of the stored
 * object; they are non-null when required or always set on stored objects.
 *
 * An output type's objects have the shape's TypeScript type (`ObjectRef<Types, Infer<S>>`).
 * Inputs are typed as what GraphQL hands a resolver, an object of unknown fields
 * (explicit nulls included, which `Infer` does not allow): the server checks every
 * manifest against its shape on write anyway.
 */

/** An input object as a resolver receives it. */
export type InputObject = Record<string, unknown>;

/** A field's GraphQL type: a scalar by name, an enum or an object type, or a list of one. */
type OutputItem = ScalarName | StringEnum | ObjectRef<Types, unknown>;
type InputItem = ScalarName | StringEnum | InputObjectRef<Types, InputObject>;
type StringEnum = EnumRef<Types, string>;

const outputs = new Map<string, { shape: ObjectShape; ref: ObjectRef<Types, unknown> }>();
const inputs = new Map<string, { shape: ObjectShape; ref: InputObjectRef<Types, InputObject> }>();
const enums = new Map<string, { values: readonly string[]; ref: StringEnum }>();

/** Two uses of one struct: `required` and the description belong to the field that holds it. */
function same(a: ObjectShape, b: ObjectShape): boolean {
  return a.fields === b.fields || JSON.stringify(a.fields) === JSON.stringify(b.fields);
}

/** The output type of a nested object shape, created on first use. */
export function outputRef<T>(shape: ObjectShape<T>): ObjectRef<Types, T> {
  const known = outputs.get(shape.name);
  if (known) {
    if (!same(known.shape, shape)) throw new Error(`two different shapes are named ${shape.name}`);
    // Same name, same fields (checked above): the ref was made for this shape's type.
    return known.ref as ObjectRef<Types, T>;
  }
  const ref = builder.objectRef<T>(shape.name);
  outputs.set(shape.name, { shape, ref });
  ref.implement({ description: shape.description, fields: (t) => outputFields(shape, t) });
  return ref;
}

/** The fields of an object shape, for object types that add more of their own (the kinds). */
export function outputFields<Parent>(
  shape: ObjectShape,
  t: ObjectFieldBuilder<Types, Parent>,
  inherited: string[] = [],
): FieldMap {
  const fields: FieldMap = {};
  for (const [key, field] of Object.entries(shape.fields)) {
    if (inherited.includes(key)) continue;
    fields[key] = t.field({
      type: outputType(field),
      nullable: field.t === 'list' ? { list: !nonNull(field), items: false } : !nonNull(field),
      description: describe(field),
      resolve: (parent) => (parent as Record<string, unknown>)[key] ?? zeroValue(field),
    });
  }
  return fields;
}

/** Whether reading the field never gives null: a valid object carries it, or the server sets it. */
function nonNull(field: Shape): boolean {
  return Boolean(field.required || field.alwaysSet);
}

/**
 * What a non-null field that is absent reads as: its zero value, as Kubernetes serializes
 * it (Go's), so an empty object, list or string, 0 or false; an enum, which GraphQL cannot
 * give as "", its first value. Admission gives every stored object these fields; only a
 * BOOKMARK's object, which carries nothing but its kind and part of its metadata, and a
 * dry run's (no resourceVersion yet) lack some, and a client may select them anyway.
 */
function zeroValue(field: Shape): unknown {
  if (!nonNull(field)) return undefined;
  if (field.t !== 'scalar') return field.t === 'list' ? [] : {};
  return field.enum ? field.oneOf?.[0] : SCALAR_ZEROS[field.scalar];
}

const SCALAR_ZEROS: Partial<Record<ScalarName, unknown>> = { String: '', Int: 0, Float: 0, Boolean: false };

function outputType(shape: Shape): OutputItem | [OutputItem] {
  return shape.t === 'list' ? [outputItem(shape.of)] : outputItem(shape);
}

function outputItem(shape: ItemShape): OutputItem {
  return shape.t === 'scalar' ? scalarItem(shape) : outputRef(shape);
}

/** A scalar shape's GraphQL type, for output and input alike. */
function scalarItem(shape: ScalarShape): ScalarName | StringEnum {
  return shape.enum ? enumRef(shape.enum, shape.oneOf ?? []) : shape.scalar;
}

/** The GraphQL enum of an enum shape, created on first use; its values are the strings stored. */
function enumRef(name: string, values: readonly string[]): StringEnum {
  const known = enums.get(name);
  if (known) {
    if (known.values.join() !== values.join()) throw new Error(`two different enums are named ${name}`);
    return known.ref;
  }
  const ref: StringEnum = builder.enumType(name, {
    values: Object.fromEntries(values.map((value) => [value, { value }])),
  });
  enums.set(name, { values, ref });
  return ref;
}

/** The input type of an object shape (`<Name>Input`), created on first use. */
export function inputRef(shape: ObjectShape): InputObjectRef<Types, InputObject> {
  const known = inputs.get(shape.name);
  if (known) {
    if (!same(known.shape, shape)) throw new Error(`two different shapes are named ${shape.name}`);
    return known.ref;
  }
  // Fields are a thunk, run when the schema is built: by then this type is in `inputs`.
  const ref = builder.inputType(`${shape.name}Input`, {
    description: shape.description,
    fields: (t) => {
      const fields: InputFieldMap = {};
      for (const [key, field] of Object.entries(shape.fields)) {
        fields[key] = t.field({
          type: inputType(field),
          // A client may leave out what the server sets (alwaysSet): only `required` binds input.
          required:
            field.t === 'list' ? { list: Boolean(field.required), items: true } : Boolean(field.required),
          description: describe(field),
        });
      }
      return fields;
    },
  });
  inputs.set(shape.name, { shape, ref });
  return ref;
}

function inputType(shape: Shape): InputItem | [InputItem] {
  return shape.t === 'list' ? [inputItem(shape.of)] : inputItem(shape);
}

function inputItem(shape: ItemShape): InputItem {
  return shape.t === 'scalar' ? scalarItem(shape) : inputRef(shape);
}

function describe(shape: Shape): string | undefined {
  // A GraphQL enum lists its values itself; a plain string restricted to some says them here.
  const allowed =
    shape.t === 'scalar' && shape.oneOf && !shape.enum
      ? `One of: ${shape.oneOf.map((value) => JSON.stringify(value)).join(', ')}.`
      : undefined;
  return [shape.description, allowed].filter(Boolean).join(' ') || undefined;
}
