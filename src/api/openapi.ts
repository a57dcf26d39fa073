/**
 * OpenAPI 3.1 generation. The /v1 route schemas are the service's zod schemas, turned
 * into JSON Schema by fastify-type-provider-zod; each compute route's request body is
 * documented for its three content types (JSON, multipart `.npy`, Arrow IPC). Operations
 * routes carry plain JSON schemas and pass through unchanged.
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../schemas/common.js';
import type { EndpointSpec } from '../service/types.js';
import { ARROW_FILE, ARROW_STREAM } from './ingest.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[]; description?: string };

/** Give the problem schema a component name so responses `$ref` it once. */
export function registerComponentSchemas(): void {
  // `.describe()` already put the schema in zod's global registry (with a description);
  // add the component id to that metadata.
  const meta = z.globalRegistry.get(problemSchema);
  if (meta?.id) return;
  z.globalRegistry.remove(problemSchema);
  z.globalRegistry.add(problemSchema, { ...meta, id: 'Problem' });
}

function isZod(value: unknown): boolean {
  return value instanceof z.ZodType;
}

function containsZod(schema: Record<string, unknown>): boolean {
  for (const key of ['body', 'querystring', 'params', 'headers']) if (isZod(schema[key])) return true;
  const response = schema.response as Record<string, unknown> | undefined;
  if (response) {
    for (const r of Object.values(response)) {
      if (isZod(r)) return true;
      const content = (r as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
      if (content && Object.values(content).some((c) => isZod(c.schema))) return true;
    }
  }
  return false;
}

const BINARY = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' };

function multipartSchema(endpoint: EndpointSpec, jsonBody: JsonSchema): JsonSchema {
  const props = jsonBody.properties ?? {};
  const required = new Set(jsonBody.required ?? []);
  const properties: Record<string, JsonSchema> = {};
  const fileRequired: string[] = [];
  for (const part of endpoint.fileParts) {
    const base = props[part]?.description ? `${props[part]!.description} ` : '';
    properties[part] = {
      ...BINARY,
      description: `${base}Sent as a NumPy .npy file (the bytes of np.save; C order; floats f2/f4/f8, integers of any width, either byte order).`,
    };
    if (required.has(part)) fileRequired.push(part);
  }
  const optionNames = Object.keys(props).filter((p) => !endpoint.fileParts.includes(p));
  properties.options = {
    type: 'string',
    contentMediaType: 'application/json',
    description:
      optionNames.length > 0
        ? `A JSON object with the other fields of the JSON body: ${optionNames.map((n) => `\`${n}\``).join(', ')}.`
        : 'A JSON object (no options for this endpoint).',
  };
  if (endpoint.examplesPart) {
    properties.examples = {
      type: 'string',
      format: 'binary',
      contentMediaType: 'application/jsonl',
      description:
        'Optional per-example content as JSON Lines (UTF-8): one object per row, in row order, with any of `id`, `text`, `url` ' +
        '(a file part up to BODY_LIMIT_MB, or a text part up to 16 MiB). Instead of `examples` in `options`, not both; N lines.',
    };
  }
  return { type: 'object', properties, required: fileRequired };
}

function arrowSchema(endpoint: EndpointSpec): JsonSchema {
  return {
    ...BINARY,
    contentMediaType: ARROW_STREAM,
    description:
      `An Arrow IPC stream (pyarrow / polars) with one column per array field (${endpoint.fileParts
        .map((p) => `\`${p}\``)
        .join(', ')}; \`pred_probs\` as a fixed_size_list<float> column, \`labels\` as an integer column). ` +
      'Options travel as JSON in the `options` query parameter or the `x-labelcheck-options` header.',
  };
}

/**
 * The swagger `transform`: zod routes through fastify-type-provider-zod, then the compute
 * routes' body expanded to its three content types.
 */
export function createOpenApiTransform(endpoints: readonly EndpointSpec[]): SwaggerTransform {
  const byPath = new Map(endpoints.map((e) => [e.path, e]));
  return (document) => {
    const { schema, url } = document;
    if (!schema) return { schema, url };
    if ((schema as { hide?: boolean }).hide) return { schema: { hide: true }, url };
    if (!containsZod(schema as Record<string, unknown>)) return { schema, url };
    const out = jsonSchemaTransform(document as Parameters<typeof jsonSchemaTransform>[0]) as {
      schema: Record<string, unknown>;
      url: string;
    };
    const endpoint = byPath.get(url);
    const body = out.schema.body as JsonSchema | undefined;
    if (endpoint && body) {
      out.schema.body = {
        content: {
          'application/json': { schema: body },
          'multipart/form-data': { schema: multipartSchema(endpoint, body) },
          [ARROW_STREAM]: { schema: arrowSchema(endpoint) },
          [ARROW_FILE]: { schema: { ...arrowSchema(endpoint), contentMediaType: ARROW_FILE, description: 'The Arrow IPC file format, same columns.' } },
        },
      };
    }
    return out as ReturnType<SwaggerTransform>;
  };
}

/**
 * The swagger `transformObject`: components from zod's registry (fastify-type-provider-zod
 * emits an input and an output variant of each), minus the variants nothing references.
 */
export const openApiTransformObject: SwaggerTransformObject = (document) => {
  const doc = jsonSchemaTransformObject(document) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (schemas) {
    let text = JSON.stringify({ ...doc, components: { ...doc.components, schemas: {} } });
    let changed = true;
    const keep = new Set<string>();
    // Referenced directly from paths, or from a kept component (to a fixed point).
    while (changed) {
      changed = false;
      for (const name of Object.keys(schemas)) {
        if (!keep.has(name) && text.includes(`"#/components/schemas/${name}"`)) {
          keep.add(name);
          text += JSON.stringify(schemas[name]);
          changed = true;
        }
      }
    }
    for (const name of Object.keys(schemas)) if (!keep.has(name)) delete schemas[name];
  }
  return doc as ReturnType<SwaggerTransformObject>;
};
