import type http from 'node:http';
import type { KindDefinition } from '../../schema/kind.ts';
import { ApiError } from '../errors.ts';
import type { WriteOptions } from '../resources/service.ts';
import { strictDecodingError, type FieldValidation } from '../resources/unknown-fields.ts';
import { duplicateFields } from './duplicate-fields.ts';

const FIELD_VALIDATIONS: readonly FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

/** Kubernetes' bound on a fieldManager's length. */
const MAX_FIELD_MANAGER = 128;

/**
 * A write request's options, the warnings it collects for the `Warning` response headers
 * and the annotations admission gives its audit event.
 */
export interface WriteParams {
  options: WriteOptions;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/**
 * The query parameters every write takes, as Kubernetes reads them: `dryRun=All` (admitted
 * and answered, nothing stored), `fieldManager` (checked here; the manager managedFields
 * name, see apply-patch.ts), `fieldValidation` (Strict, Warn — the default — or Ignore).
 */
export function writeParams(q: URLSearchParams): WriteParams {
  const warnings: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  const dryRun = q.getAll('dryRun');
  for (const value of dryRun) {
    if (value !== 'All') {
      throw new ApiError('BAD_REQUEST', `Invalid dry run value: "${value}": supported values: "All"`);
    }
  }
  const manager = q.get('fieldManager');
  if (manager !== null && manager.length > MAX_FIELD_MANAGER) {
    throw new ApiError(
      'BAD_REQUEST',
      `fieldManager: Invalid value: must be no more than ${MAX_FIELD_MANAGER} characters`,
    );
  }
  const validation = q.get('fieldValidation') || 'Warn';
  if (!FIELD_VALIDATIONS.includes(validation as FieldValidation)) {
    throw new ApiError(
      'BAD_REQUEST',
      `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  return {
    options: {
      dryRun: dryRun.length > 0,
      fieldValidation: validation as FieldValidation,
      warn: (message) => warnings.push(message),
      annotate: (key, value) => {
        auditAnnotations[key] = value;
      },
    },
    warnings,
    auditAnnotations,
  };
}

/**
 * Duplicate fields of a JSON body, as fieldValidation says: refused under Strict,
 * warnings under Warn (the last value wins, as JSON.parse already decided).
 */
export function checkDuplicates(def: KindDefinition, text: string, params: WriteParams): void {
  const { fieldValidation } = params.options;
  if (fieldValidation === 'Ignore') return;
  const duplicates = duplicateFields(text).map((field) => `duplicate field ${JSON.stringify(field)}`);
  if (duplicates.length === 0) return;
  if (fieldValidation === 'Strict') throw strictDecodingError(def, duplicates);
  params.warnings.push(...duplicates);
}

/** The `Warning` headers (RFC 7234 code 299) kubectl prints as "Warning: ...". */
export function setWarnings(res: http.ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  res.setHeader(
    'Warning',
    // Header values are ASCII: anything else goes escaped, as in a JSON string.
    warnings.map(
      (w) =>
        `299 - ${JSON.stringify(w).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`,
    ),
  );
}
