/**
 * JavaScript regexes backtrack, and a filter's regex runs against every
 * stream name or event type in $all, inside the store's one thread: a pattern
 * like `^(a+)+$` on a long name would stall every client for good. No
 * linear-time matcher is among our dependencies, so a filter's pattern is
 * refused when it is long or has the shapes that backtrack exponentially:
 * a repeated group holding a quantifier or an alternation, or a back-reference.
 * What remains backtracks at most polynomially (adjacent quantifiers such as
 * `.*.*x`), bounded by the length limit.
 */

/** Far above the application's own filters (the longest, every order event type, is about 550 characters). */
export const MAX_FILTER_REGEX_LENGTH = 4096;

export class RefusedFilterRegex extends Error {}

/** The compiled pattern, or RefusedFilterRegex saying why it is refused. */
export function compileFilterRegex(source: string): RegExp {
  if (source.length > MAX_FILTER_REGEX_LENGTH) {
    throw new RefusedFilterRegex(`Regex filter refused: longer than ${MAX_FILTER_REGEX_LENGTH} characters`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new RefusedFilterRegex(`Regex filter refused: ${(error as Error).message}`);
  }
  const shape = backtrackingShape(source);
  if (shape) throw new RefusedFilterRegex(`Regex filter refused: ${shape}, which can backtrack exponentially`);
  return regex;
}

interface Group {
  /** A repeating quantifier applies somewhere inside. */
  repeats: boolean;
  /** A `|` appears somewhere inside. */
  alternates: boolean;
}

/**
 * Names the first exponential shape in a pattern already known to compile, or
 * undefined. A single left-to-right scan: groups are tracked on a stack, and
 * a quantifier after a group's `)` is judged by what the group holds.
 */
function backtrackingShape(source: string): string | undefined {
  const stack: Group[] = [{ repeats: false, alternates: false }];
  /** The group that just closed, while the next token may still quantify it. */
  let closed: Group | undefined;
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    const quantifier = quantifierAt(source, i);
    if (quantifier) {
      const repeating = quantifier.max > 1;
      if (repeating && closed?.repeats) return 'a nested quantifier';
      if (repeating && closed?.alternates) return 'an alternation inside a repeated group';
      if (repeating) stack.at(-1)!.repeats = true;
      closed = undefined;
      i += quantifier.length;
      continue;
    }
    closed = undefined;
    if (char === '\\') {
      if (/[1-9]/.test(source[i + 1]) || source.startsWith('\\k<', i)) return 'a back-reference';
      i += 2;
    } else if (char === '[') {
      i = classEnd(source, i);
    } else if (char === '(') {
      stack.push({ repeats: false, alternates: false });
      i += groupPrefixLength(source, i);
    } else if (char === ')') {
      const group = stack.pop()!;
      const parent = stack.at(-1)!;
      parent.repeats ||= group.repeats;
      parent.alternates ||= group.alternates;
      closed = group;
      i++;
    } else {
      if (char === '|') stack.at(-1)!.alternates = true;
      i++;
    }
  }
  return undefined;
}

/** A quantifier starting at `i` (with its lazy `?`), and the most times it repeats. */
function quantifierAt(source: string, i: number): { length: number; max: number } | undefined {
  const lazy = (length: number) => (source[i + length] === '?' ? length + 1 : length);
  const char = source[i];
  if (char === '*' || char === '+') return { length: lazy(1), max: Infinity };
  if (char === '?') return { length: lazy(1), max: 1 };
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 32));
  if (!braces) return undefined;
  const max = braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Infinity : Number(braces[3]);
  return { length: lazy(braces[0].length), max };
}

/** The index after a character class that opens at `i`; without the `u` flag, `]` right after `[` or `[^` closes it. */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The length of `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>` at `i`. */
function groupPrefixLength(source: string, i: number): number {
  if (source[i + 1] !== '?') return 1;
  const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(source.slice(i, i + 256));
  if (named) return named[0].length;
  return source.startsWith('(?<=', i) || source.startsWith('(?<!', i) ? 4 : 3;
}
