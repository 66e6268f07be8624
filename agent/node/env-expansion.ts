/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used for env
 * values, command and args: `$(NAME)` becomes NAME's value when NAME is defined and
 * stays as written when not; `$$` is an escaped `$`; any other `$` is kept.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        // An unterminated reference is kept as written.
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * A container's command or args with `$(VAR)` references to its environment expanded,
 * as the kubelet does before handing them to the runtime (the last definition of a name
 * wins). Undefined stays undefined: the image's ENTRYPOINT/CMD apply.
 */
export function expandArgs(
  argv: readonly string[],
  env: ReadonlyArray<{ name: string; value: string }>,
): string[];
export function expandArgs(
  argv: readonly string[] | undefined,
  env: ReadonlyArray<{ name: string; value: string }>,
): string[] | undefined;
export function expandArgs(
  argv: readonly string[] | undefined,
  env: ReadonlyArray<{ name: string; value: string }>,
): string[] | undefined {
  if (!argv) return undefined;
  const values = new Map(env.map(({ name, value }) => [name, value]));
  return argv.map((arg) => expand(arg, (name) => values.get(name)));
}
