import Ajv, { type ValidateFunction } from 'ajv';
import { formatSchemaErrors } from '../../plugin-sdk/schema/schema-errors';
import { addMosnFormats } from './config-formats';
import { MOSN_CONFIG_SCHEMA } from './config-schema';

let compiled: ValidateFunction | undefined;

// Compiled once, on first use: compiling costs milliseconds, validating microseconds.
function configValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = addMosnFormats(new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }));
    compiled = ajv.compile(MOSN_CONFIG_SCHEMA);
  }
  return compiled;
}

/** Checks a parsed config against MOSN's schema; one `path: reason` line per problem. */
export function schemaProblems(config: unknown): string[] {
  const validate = configValidator();
  if (validate(config)) return [];
  // An if/then/else failure is also reported by the branch's own error; the "if" line only repeats it.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  return formatSchemaErrors(errors, '', config);
}
