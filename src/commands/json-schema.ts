/** The `schema` use case: the JSON Schema of hybrid-e2e.yaml (also shipped as dist/hybrid-e2e.schema.json). */
import { configJsonSchema } from '../core/config/schema.js';

export function jsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
