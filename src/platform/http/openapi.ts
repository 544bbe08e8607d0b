// Builds the OpenAPI 3 document from the same zod schemas that validate the API's requests
// and type its responses. Features describe each operation as they register its route.
import { z } from 'zod';

export interface ApiResponseSpec {
  description: string;
  /** JSON body schema; give it a `.meta({ id })` to appear under components. */
  schema?: z.ZodType;
  /** Also answers text/csv (with ?format=csv). */
  csv?: boolean;
}

export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, with {braces} around parameters. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  query?: z.ZodObject;
  params?: z.ZodObject;
  /** A JSON request body, described as the client sends it (before defaults and transforms). */
  body?: z.ZodType;
  responses: Record<number, ApiResponseSpec>;
  /** Needs an organisation's API token holding this scope (or a signed-in session, for reads). */
  scope?: string;
}

// Registered by its id; every problem answer refers to it.
z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    request_id: z.string(),
    errors: z.array(z.object({ parameter: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const jsonOptions = { target: 'openapi-3.0', unrepresentable: 'any', uri: (id: string) => `#/components/schemas/${id}` } as const;

export class OpenApiRegistry {
  private readonly operations: ApiOperation[] = [];

  add(operation: ApiOperation): void {
    this.operations.push(operation);
  }

  document(info: { title: string; version: string; description: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const ref = (schema: z.ZodType): unknown => {
      const id = z.globalRegistry.get(schema)?.id;
      return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema, jsonOptions);
    };
    for (const op of this.operations) {
      const parameters = [
        ...Object.entries(op.params?.shape ?? {}).map(([name, schema]) => parameter(name, 'path', schema as z.ZodType, true)),
        ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => parameter(name, 'query', schema as z.ZodType, false)),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, spec] of Object.entries(op.responses)) {
        const content: Record<string, unknown> = {};
        if (spec.schema) content['application/json'] = { schema: ref(spec.schema) };
        if (spec.csv) content['text/csv'] = { schema: { type: 'string' } };
        responses[status] = { description: spec.description, ...(Object.keys(content).length ? { content } : {}) };
      }
      const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
      if (op.query || op.params || op.body) responses['400'] ??= { description: 'A parameter cannot be used; `errors` names it', content: problem };
      if (op.scope) {
        responses['401'] ??= { description: 'No API token, or one that is mistyped, expired or revoked', content: problem };
        responses['403'] ??= { description: `The token lacks the ${op.scope} scope, or belongs to another organisation`, content: problem };
      }
      paths[op.path] ??= {};
      paths[op.path]![op.method] = {
        operationId: op.operationId,
        summary: op.summary,
        tags: op.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(op.body ? { requestBody: { required: false, content: { 'application/json': { schema: bodySchema(op.body) } } } } : {}),
        ...(op.scope ? { security: [{ apiToken: [op.scope] }] } : {}),
        responses,
      };
    }
    // Every schema with an id becomes a component, so nested ones are referenced by name too.
    const components: Record<string, unknown> = {};
    const generated = z.toJSONSchema(z.globalRegistry, jsonOptions) as { schemas: Record<string, Record<string, unknown>> };
    for (const [id, schema] of Object.entries(generated.schemas)) {
      const { $schema: _schema, $id: _dollarId, id: _id, ...rest } = schema;
      components[id] = rest;
    }
    const securitySchemes = {
      apiToken: {
        type: 'http',
        scheme: 'bearer',
        description: 'An organisation’s API token (wsh_…), created on the organisation’s page in the hub. Scopes limit what it can do.',
      },
    };
    return { openapi: '3.0.3', info, paths, components: { schemas: components, securitySchemes } };
  }
}

function bodySchema(schema: z.ZodType): unknown {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { ...jsonOptions, io: 'input' }) as Record<string, unknown>;
  return rest;
}

function parameter(name: string, where: 'query' | 'path', schema: z.ZodType, required: boolean): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { ...jsonOptions, io: 'output' }) as Record<string, unknown>;
  const { description, $schema: _s, ...rest } = json;
  const isArray = rest.type === 'array';
  return {
    name,
    in: where,
    required,
    ...(description ? { description } : {}),
    schema: rest,
    ...(isArray ? { style: 'form', explode: true } : {}),
  };
}
