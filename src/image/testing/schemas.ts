// Validators of the official SBOM schemas: CycloneDX 1.6 as shipped by @cyclonedx/cyclonedx-library,
// SPDX 2.3 from the shared schemas folder (tests skip with a message when it is absent).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { missingShared, sharedPath } from '../../../test/support/shared.ts';

const require = createRequire(import.meta.url);
const cdxSchemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');

function load(path: string, id?: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (id !== undefined) schema.$id = id;
  return schema;
}

/** Formats (date-time, iri-reference, …) are not checked: no formats plugin is installed. */
function ajv(): Ajv {
  return new Ajv({ strict: false, validateFormats: false, allErrors: true });
}

export function cycloneDxValidator(): ValidateFunction {
  const validator = ajv();
  validator.addSchema(load(join(cdxSchemaDir, 'spdx.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'));
  validator.addSchema(load(join(cdxSchemaDir, 'jsf-0.82.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json'));
  return validator.compile(load(join(cdxSchemaDir, 'bom-1.6.SNAPSHOT.schema.json')));
}

export const SPDX_SCHEMA = ['schemas', 'spdx-2.3-schema.json'] as const;

export function spdxMissing(): false | string {
  return missingShared(...SPDX_SCHEMA);
}

export function spdxValidator(): ValidateFunction {
  return ajv().compile(load(sharedPath(...SPDX_SCHEMA)));
}

export function errorsOf(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5), null, 2);
}
