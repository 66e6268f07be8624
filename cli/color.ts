/**
 * Colour only when a person is looking: the stream is a terminal and NO_COLOR is unset,
 * so pipes, files and scripts always get plain text.
 */
const CODES = { red: 31, green: 32, yellow: 33, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function colourer(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): (colour: Colour, text: string) => string {
  const on = stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  return (colour, text) => (on ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text);
}
