import { ApiError } from '../errors.ts';

/**
 * The options of a subresource request read from its query, converted as Kubernetes
 * converts them (Go's strconv): a value that does not convert is a 400 naming the
 * parameter; a parameter left out is undefined.
 */
export class QueryOptions {
  constructor(private readonly query: URLSearchParams) {}

  string(name: string): string | undefined {
    return this.query.get(name) || undefined;
  }

  strings(name: string): string[] {
    return this.query.getAll(name);
  }

  bool(name: string): boolean | undefined {
    const value = this.query.get(name);
    if (value === null) return undefined;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    throw invalid(name, value, 'must be true or false');
  }

  int(name: string): number | undefined {
    const value = this.query.get(name);
    if (value === null) return undefined;
    if (!/^[+-]?\d{1,15}$/.test(value)) throw invalid(name, value, 'must be an integer');
    return Number(value);
  }

  /** An RFC 3339 time, as `sinceTime`. */
  time(name: string): Date | undefined {
    const value = this.query.get(name);
    if (value === null) return undefined;
    const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)
      ? new Date(value)
      : undefined;
    if (!time || Number.isNaN(time.getTime())) throw invalid(name, value, 'must be an RFC 3339 time');
    return time;
  }
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function invalid(name: string, value: string, why: string): ApiError {
  return new ApiError('BAD_REQUEST', `${name}: Invalid value: ${JSON.stringify(value)}: ${why}`);
}
