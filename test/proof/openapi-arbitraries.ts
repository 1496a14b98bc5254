import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the generator reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body?: Schema;
  responses: Set<string>;
}

export interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
        responses?: Record<string, unknown>;
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** Every operation of the document, with `$ref`s resolved. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
        responses: new Set(Object.keys(op.responses ?? {})),
      });
    }
  }
  return ops;
}

export function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    return resolve(doc, doc.components?.schemas?.[name]);
  }
  if (schema.allOf?.length === 1)
    return { ...schema, ...resolve(doc, schema.allOf[0]), allOf: undefined };
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Hostile values: the classes of input that broke services before (deep JSON, lone surrogates,
// key byte lengths, prototype keys, numbers as text, control characters, huge values).

const UNICODE_EDGES = [
  'a\ud800b', // lone high surrogate
  '\udfff', // lone low surrogate
  'e\u0301\u0301\u0301', // combining marks
  '\u202eevil\u202c', // RTL override
  'nul\u0000byte',
  '\u2028\u2029',
  '😀'.repeat(300), // 1,200 bytes of 4-byte characters
  'ǅ'.repeat(600),
  '\ufeffbom',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00%ff%zz',
  'USERNAME#admin',
  'me',
];

export const hostileString = fc.oneof(
  fc.constantFrom(...UNICODE_EDGES),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 256, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

const NUMBER_TEXT = [
  '1.999999999999999999',
  '999999.9999999999999',
  '1e2',
  '1E-2',
  '-0',
  '0.000000001',
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '0x10',
  '1_000',
  'NaN',
  'Infinity',
];

/** Any JSON value, some of them nasty. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), [], {}),
  fc.double(),
  fc.constantFrom(...NUMBER_TEXT),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

// ---------------------------------------------------------------------------------------------
// Values that follow the schema (so requests get past validation and reach the handlers).

function patternArb(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern));
  } catch {
    return fc.string();
  }
}

export function valueFor(
  doc: OpenApiDocument,
  raw: Schema | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const alternatives = schema.oneOf ?? schema.anyOf;
  let arb: fc.Arbitrary<unknown>;
  if (alternatives?.length) {
    arb = fc.oneof(...alternatives.map((s) => valueFor(doc, s, depth + 1)));
  } else if (schema.enum?.length) {
    arb = fc.constantFrom(...schema.enum);
  } else if (schema.type === 'object' || schema.properties) {
    arb = objectFor(doc, schema, depth);
  } else if (schema.type === 'array') {
    arb =
      depth > 4
        ? fc.constant([])
        : fc.array(valueFor(doc, schema.items, depth + 1), { maxLength: 3 });
  } else if (schema.type === 'boolean') {
    arb = fc.boolean();
  } else if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum ?? -1_000_000;
    const max = schema.maximum ?? 1_000_000;
    arb =
      schema.type === 'integer'
        ? fc.integer({ min, max })
        : fc.oneof(fc.integer({ min, max }), fc.double({ min, max, noNaN: true }));
  } else {
    arb = stringFor(schema);
  }
  const withExample =
    schema.example !== undefined
      ? fc.oneof(
          { arbitrary: fc.constant(schema.example), weight: 2 },
          { arbitrary: arb, weight: 3 },
        )
      : arb;
  return schema.nullable ? fc.option(withExample, { nil: null, freq: 5 }) : withExample;
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'date')
    return fc
      .date({ min: new Date('1900-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'date-time')
    return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.pattern) return patternArb(schema.pattern);
  return fc.string({
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 300),
  });
}

function objectFor(
  doc: OpenApiDocument,
  schema: Schema,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, prop] of Object.entries(props)) model[name] = valueFor(doc, prop, depth + 1);
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
}

// ---------------------------------------------------------------------------------------------
// Mutations of a schema-following body: one field broken, extra or prototype keys, nesting.

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'role',
  'balance',
  'current_cents',
  'user_id',
  'is_admin',
];

export function mutatedBody(
  doc: OpenApiDocument,
  schema: Schema | undefined,
): fc.Arbitrary<unknown> {
  const props = Object.keys(resolve(doc, schema).properties ?? {});
  const base = valueFor(doc, schema) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    // Every string field carries a Unicode edge case (lone surrogates, combining marks, NUL, RTL)
    // at a random position: validators that choke on one break the whole request.
    fc
      .tuple(
        base,
        fc.constantFrom(...UNICODE_EDGES.slice(0, 6)),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .map(([b, edge, at]) =>
        Object.fromEntries(
          Object.entries(b as object).map(([k, v]) => {
            if (typeof v !== 'string') return [k, v];
            const i = Math.floor(at * (v.length + 1));
            return [k, `${v.slice(0, i)}${edge}${v.slice(i)}`];
          }),
        ),
      ),
    // One field replaced by something nasty.
    fc
      .tuple(base, fc.constantFrom(...(props.length ? props : ['x'])), hostileValue)
      .map(([b, key, v]) => ({ ...(b as object), [key]: v })),
    // Extra fields (mass assignment, prototype pollution).
    fc.tuple(base, fc.constantFrom(...PROTO_KEYS), hostileValue).map(([b, key, v]) => {
      const out = { ...(b as object) } as Record<string, unknown>;
      Object.defineProperty(out, key, { value: v, enumerable: true });
      return out;
    }),
    // Not an object at all.
    hostileValue,
  );
}

/** Raw bodies JSON.stringify cannot produce: deep nesting, numbers as source text, broken JSON. */
export function rawBodies(doc: OpenApiDocument, schema: Schema | undefined): fc.Arbitrary<string> {
  const props = Object.keys(resolve(doc, schema).properties ?? {});
  const field = fc.constantFrom(...(props.length ? props : ['amount']));
  return fc.oneof(
    fc.integer({ min: 33, max: 5_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
    fc.integer({ min: 33, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
    fc
      .tuple(field, fc.constantFrom(...NUMBER_TEXT.filter((n) => /^[-\d]/.test(n))))
      .map(([f, n]) => `{"${f}":${n}}`),
    fc.constantFrom(
      '',
      ' ',
      '{',
      '{"a":1,}',
      'null',
      '[]',
      '"x"',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '\u0000',
      '{"__proto__":{"admin":true}}',
      '{"a":1,"a":2}',
    ),
  );
}
